package liquid

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Dates follow Liquid's Utils.to_date: Time values pass through, "now" and
// "today" are the current time, digit strings are Unix seconds, and other
// strings go through a reimplementation of the parts of Ruby's Time.parse
// that real front matter uses (ISO dates, "11 Nov 2025", "Nov 11, 2025",
// "11/12/2025" read day first, RFC 822, with optional time and zone).

var monthNames = map[string]time.Month{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

const monRE = `(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?`

var (
	reISODate   = regexp.MustCompile(`(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})`)
	reDMYDate   = regexp.MustCompile(`\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{2,4})\b`)
	reCompact   = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:t?(\d{2})(\d{2})(\d{2})?)?`)
	reDayMon    = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?\s*[- ]?\s*` + monRE + `[, -]*(\d{2,4})?\b`)
	reMonDay    = regexp.MustCompile(`\b` + monRE + `\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(\d{4}|\d{2}(?:\s|$)))?`)
	reMonYear   = regexp.MustCompile(`\b` + monRE + `\s+(\d{4})\b`)
	reClock     = regexp.MustCompile(`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:\s*([ap])\.?m\.?\b)?`)
	reHourAMPM  = regexp.MustCompile(`\b(\d{1,2})\s*([ap])\.?m\.?\b`)
	reZoneNum   = regexp.MustCompile(`(?:^|[\d\s])([+-])(\d{2}):?(\d{2})\b`)
	reZoneUTC   = regexp.MustCompile(`(?:\d|\s)(z|utc|gmt)\b`)
	reZoneAbbr  = regexp.MustCompile(`\b(sgt|hkt|jst|kst|ist|cst|cdt|est|edt|mst|mdt|pst|pdt|bst|cet|cest|eet|aest|aedt)\b`)
	reOnlyDigit = regexp.MustCompile(`^\d+$`)
)

var zoneOffsets = map[string]int{"sgt": 8, "hkt": 8, "jst": 9, "kst": 9, "cst": -6, "cdt": -5, "est": -5,
	"edt": -4, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "bst": 1, "cet": 1, "cest": 2, "eet": 2,
	"aest": 10, "aedt": 11}

// toTime converts a Liquid value to a time; ok is false where Liquid's
// to_date gives nil.
func (e *Engine) toTime(v any) (time.Time, bool) {
	v = resolve(v)
	switch x := v.(type) {
	case time.Time:
		return x, true
	case int:
		return time.Unix(int64(x), 0).In(e.loc), true
	case int64:
		return time.Unix(x, 0).In(e.loc), true
	case string:
		if x == "" {
			return time.Time{}, false
		}
		s := strings.ToLower(x)
		if s == "now" || s == "today" {
			return e.now(), true
		}
		if reOnlyDigit.MatchString(s) {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return time.Time{}, false
			}
			return time.Unix(n, 0).In(e.loc), true
		}
		return parseRubyTime(s, e.loc, e.now())
	}
	return time.Time{}, false
}

func (e *Engine) now() time.Time {
	if e.cfg.Now != nil {
		return e.cfg.Now().In(e.loc)
	}
	return time.Now().In(e.loc)
}

// parseRubyTime reads s (lower-cased) roughly as Ruby's Time.parse does.
func parseRubyTime(s string, loc *time.Location, now time.Time) (time.Time, bool) {
	year, month, day := 0, time.Month(0), 0
	rest := s
	switch {
	case reCompact.MatchString(s):
		m := reCompact.FindStringSubmatch(s)
		year, _ = strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		month = time.Month(mo)
		day, _ = strconv.Atoi(m[3])
		rest = s[len(m[0]):]
		if m[4] != "" {
			rest = m[4] + ":" + m[5]
			if m[6] != "" {
				rest += ":" + m[6]
			}
			rest += s[len(m[0]):]
		}
	case reISODate.MatchString(s):
		m := reISODate.FindStringSubmatchIndex(s)
		year, _ = strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		month = time.Month(mo)
		day, _ = strconv.Atoi(s[m[6]:m[7]])
		rest = s[m[1]:]
	case reDMYDate.MatchString(s):
		m := reDMYDate.FindStringSubmatchIndex(s)
		day, _ = strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		month = time.Month(mo)
		year = fullYear(s[m[6]:m[7]])
		rest = s[m[1]:]
	case reDayMon.MatchString(s) && !reMonDay.MatchString(s) || dayMonFirst(s):
		m := reDayMon.FindStringSubmatchIndex(s)
		day, _ = strconv.Atoi(s[m[2]:m[3]])
		month = monthNames[s[m[4]:m[5]]]
		if m[6] >= 0 {
			year = fullYear(s[m[6]:m[7]])
		} else {
			year = now.Year()
		}
		rest = s[m[1]:]
	case reMonDay.MatchString(s):
		m := reMonDay.FindStringSubmatchIndex(s)
		month = monthNames[s[m[2]:m[3]]]
		day, _ = strconv.Atoi(s[m[4]:m[5]])
		if m[6] >= 0 {
			year = fullYear(strings.TrimSpace(s[m[6]:m[7]]))
		} else {
			year = now.Year()
		}
		rest = s[m[1]:]
	case reMonYear.MatchString(s):
		m := reMonYear.FindStringSubmatch(s)
		month = monthNames[m[1]]
		year, _ = strconv.Atoi(m[2])
		day = 1
		rest = strings.Replace(s, m[0], "", 1)
	case reClock.MatchString(s):
		year, month, day = now.Date()
	default:
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	hour, minute, sec, nsec := 0, 0, 0, 0
	if m := reClock.FindStringSubmatch(rest); m != nil {
		hour, _ = strconv.Atoi(m[1])
		minute, _ = strconv.Atoi(m[2])
		sec, _ = strconv.Atoi(m[3])
		if m[4] != "" {
			frac := (m[4] + "000000000")[:9]
			nsec, _ = strconv.Atoi(frac)
		}
		hour = ampm(hour, m[5])
	} else if m := reHourAMPM.FindStringSubmatch(rest); m != nil {
		hour, _ = strconv.Atoi(m[1])
		hour = ampm(hour, m[2])
	}
	if hour > 24 || minute > 59 || sec > 60 {
		return time.Time{}, false
	}
	zone := loc
	if m := reZoneNum.FindStringSubmatch(rest); m != nil {
		h, _ := strconv.Atoi(m[2])
		mi, _ := strconv.Atoi(m[3])
		off := h*3600 + mi*60
		if m[1] == "-" {
			off = -off
		}
		zone = time.FixedZone("", off)
	} else if reZoneUTC.MatchString(rest) {
		zone = time.UTC
	} else if m := reZoneAbbr.FindStringSubmatch(rest); m != nil {
		zone = time.FixedZone(strings.ToUpper(m[1]), zoneOffsets[m[1]]*3600)
		if m[1] == "ist" {
			zone = time.FixedZone("IST", 5*3600+1800)
		}
	}
	// time.Date normalises 30 February to 2 March, as Ruby does.
	return time.Date(year, month, day, hour, minute, sec, nsec, zone), true
}

// dayMonFirst: "11 Nov 2025" where both day-month and month-day patterns
// could match ("11 nov 25").
func dayMonFirst(s string) bool {
	dm := reDayMon.FindStringIndex(s)
	md := reMonDay.FindStringIndex(s)
	return dm != nil && md != nil && dm[0] < md[0]
}

func ampm(hour int, ap string) int {
	switch ap {
	case "p":
		if hour < 12 {
			return hour + 12
		}
	case "a":
		if hour == 12 {
			return 0
		}
	}
	return hour
}

// fullYear expands two-digit years as Ruby does (69–99 → 19xx).
func fullYear(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) <= 2 {
		if y >= 69 {
			return 1900 + y
		}
		return 2000 + y
	}
	return y
}

// strftime formats t like Ruby's Time#strftime, including the -, _, 0, ^
// and # flags and widths.
func strftime(format string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 >= len(format) {
			b.WriteByte(c)
			continue
		}
		start := i
		i++
		var flags string
		for i < len(format) && strings.IndexByte("-_0^#", format[i]) >= 0 {
			flags += string(format[i])
			i++
		}
		width := 0
		for i < len(format) && isDigit(format[i]) {
			width = width*10 + int(format[i]-'0')
			if width > 1024 {
				width = 1024
			}
			i++
		}
		colons := 0
		for i < len(format) && format[i] == ':' {
			colons++
			i++
		}
		if i >= len(format) {
			b.WriteString(format[start:])
			break
		}
		s, ok := conv(format[i], flags, width, colons, t)
		if !ok {
			b.WriteString(format[start : i+1])
			continue
		}
		b.WriteString(s)
	}
	return b.String()
}

func conv(c byte, flags string, width, colons int, t time.Time) (string, bool) {
	num := func(n, w int, pad byte) string {
		if strings.Contains(flags, "-") {
			return strconv.Itoa(n)
		}
		if strings.Contains(flags, "_") {
			pad = ' '
		} else if strings.Contains(flags, "0") {
			pad = '0'
		}
		if width > 0 {
			w = width
		}
		s := strconv.Itoa(abs(n))
		neg := n < 0
		for len(s) < w-boolInt(neg) {
			s = string(pad) + s
		}
		if neg {
			s = "-" + s
		}
		return s
	}
	text := func(s string) string {
		if strings.Contains(flags, "^") {
			s = strings.ToUpper(s)
		} else if strings.Contains(flags, "#") {
			s = swapCase(s)
		}
		if width > len(s) {
			pad := " "
			if strings.Contains(flags, "0") {
				pad = "0"
			}
			s = strings.Repeat(pad, width-len(s)) + s
		}
		return s
	}
	switch c {
	case 'Y':
		if width == 0 && !strings.ContainsAny(flags, "-_0") {
			return strconv.Itoa(t.Year()), true
		}
		return num(t.Year(), 4, '0'), true
	case 'C':
		return num(t.Year()/100, 2, '0'), true
	case 'y':
		return num(t.Year()%100, 2, '0'), true
	case 'm':
		return num(int(t.Month()), 2, '0'), true
	case 'd':
		return num(t.Day(), 2, '0'), true
	case 'e':
		return num(t.Day(), 2, ' '), true
	case 'j':
		return num(t.YearDay(), 3, '0'), true
	case 'H':
		return num(t.Hour(), 2, '0'), true
	case 'k':
		return num(t.Hour(), 2, ' '), true
	case 'I':
		return num(hour12(t.Hour()), 2, '0'), true
	case 'l':
		return num(hour12(t.Hour()), 2, ' '), true
	case 'M':
		return num(t.Minute(), 2, '0'), true
	case 'S':
		return num(t.Second(), 2, '0'), true
	case 'L':
		return fmt.Sprintf("%03d", t.Nanosecond()/1e6), true
	case 'N':
		w := 9
		if width > 0 {
			w = width
		}
		s := fmt.Sprintf("%09d", t.Nanosecond())
		for len(s) < w {
			s += "0"
		}
		return s[:w], true
	case 'z':
		_, off := t.Zone()
		sign := "+"
		if off < 0 {
			sign, off = "-", -off
		}
		h, m, s := off/3600, off%3600/60, off%60
		switch colons {
		case 1:
			return fmt.Sprintf("%s%02d:%02d", sign, h, m), true
		case 2:
			return fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, s), true
		}
		return fmt.Sprintf("%s%02d%02d", sign, h, m), true
	case 'Z':
		name, _ := t.Zone()
		if t.Location() == time.UTC {
			name = "UTC"
		}
		if strings.Contains(flags, "#") {
			return strings.ToLower(name), true
		}
		return text(name), true
	case 'a':
		return text(t.Weekday().String()[:3]), true
	case 'A':
		return text(t.Weekday().String()), true
	case 'b', 'h':
		return text(t.Month().String()[:3]), true
	case 'B':
		return text(t.Month().String()), true
	case 'p':
		if strings.Contains(flags, "#") {
			return strings.ToLower(ampmText(t)), true
		}
		return text(ampmText(t)), true
	case 'P':
		return strings.ToLower(ampmText(t)), true
	case 'u':
		wd := int(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return num(wd, 1, '0'), true
	case 'w':
		return num(int(t.Weekday()), 1, '0'), true
	case 'U':
		return num((t.YearDay()+6-int(t.Weekday()))/7, 2, '0'), true
	case 'W':
		wd := (int(t.Weekday()) + 6) % 7
		return num((t.YearDay()+6-wd)/7, 2, '0'), true
	case 'V':
		_, w := t.ISOWeek()
		return num(w, 2, '0'), true
	case 'G':
		y, _ := t.ISOWeek()
		return num(y, 4, '0'), true
	case 'g':
		y, _ := t.ISOWeek()
		return num(y%100, 2, '0'), true
	case 's':
		return strconv.FormatInt(t.Unix(), 10), true
	case 'n':
		return "\n", true
	case 't':
		return "\t", true
	case '%':
		return "%", true
	case 'c':
		return text(strftime("%a %b %e %H:%M:%S %Y", t)), true
	case 'D', 'x':
		return text(strftime("%m/%d/%y", t)), true
	case 'F':
		return text(strftime("%Y-%m-%d", t)), true
	case 'T', 'X':
		return text(strftime("%H:%M:%S", t)), true
	case 'R':
		return text(strftime("%H:%M", t)), true
	case 'r':
		return text(strftime("%I:%M:%S %p", t)), true
	case 'v':
		return text(strftime("%e-%^b-%Y", t)), true
	case '+':
		return text(strftime("%a %b %e %H:%M:%S %Z %Y", t)), true
	}
	return "", false
}

func ampmText(t time.Time) string {
	if t.Hour() < 12 {
		return "AM"
	}
	return "PM"
}

func hour12(h int) int {
	h %= 12
	if h == 0 {
		return 12
	}
	return h
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func swapCase(s string) string {
	r := []rune(s)
	for i, c := range r {
		switch {
		case c >= 'a' && c <= 'z':
			r[i] = c - 32
		case c >= 'A' && c <= 'Z':
			r[i] = c + 32
		}
	}
	return string(r)
}

// ordinalSuffix is Jekyll's ordinal: 1st, 2nd, 3rd, 11th…
func ordinalSuffix(n int) string {
	if n%100 >= 11 && n%100 <= 13 {
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}
