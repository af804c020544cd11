package search

import (
	"encoding/binary"
	"slices"
)

// docWords counts the distinct words of one document by field, as a
// wordReader emits them. Counting distinct words rather than keeping the
// text is what lets PageDoc run where pages are rendered: Index then turns
// each distinct word into its term once per document, not once per use.
type docWords struct {
	// use is what one use of a word read now counts: a page's heading
	// words count in the heading and in the text, where they are read too.
	use uses
	// slots is an open-addressing hash table of the words, at most half
	// full: index+1 into counts, 0 for an empty slot. The table is small
	// and counts grows in order, so a page's words stay in the cache: a map
	// of strings has a key header and key bytes apart, and a table of the
	// counts themselves takes a cache miss for every word it first sees.
	slots  []int32
	shift  uint // 64 - log2(len(slots)), see slot
	counts []wordCount
	keys   []byte // the words, one after the other
}

// uses counts the uses of a word in the title, the headings and the text.
type uses struct{ title, head, text uint32 }

type wordCount struct {
	key   uint64 // see wordKey
	at, n int32  // the word is keys[at:at+n]
	uses
}

func newDocWords() *docWords {
	const size = 512
	return &docWords{slots: make([]int32, size), shift: 64 - 9, counts: make([]wordCount, 0, size/2), keys: make([]byte, 0, 2048)}
}

// reset empties d, keeping its room.
func (d *docWords) reset() {
	clear(d.slots)
	d.counts, d.keys = d.counts[:0], d.keys[:0]
}

// add counts one use of w.
func (d *docWords) add(w []byte, runes int) {
	if len(w) < 2 || runes > maxTokenRunes {
		// Never a term (see term): one letter or digit ("a", "I"), or a
		// long run, which would bloat the counts.
		return
	}
	d.addKey(wordKey(w), w)
}

// addKey counts one use of w, whose key (see wordKey) is key.
func (d *docWords) addKey(key uint64, w []byte) {
	mask := uint64(len(d.slots) - 1)
	for i := d.slot(key); ; i = (i + 1) & mask {
		k := d.slots[i]
		if k == 0 {
			d.counts = append(d.counts, wordCount{key: key, at: int32(len(d.keys)), n: int32(len(w)), uses: d.use})
			d.keys = append(d.keys, w...)
			d.slots[i] = int32(len(d.counts))
			if 2*len(d.counts) > len(d.slots) {
				d.grow()
			}
			return
		}
		c := &d.counts[k-1]
		if c.key == key && (key < longWordKey || sameLongWord(d.keys[c.at:c.at+c.n], w)) {
			c.add(d.use)
			return
		}
	}
}

func (u *uses) add(v uses) {
	u.title += v.title
	u.head += v.head
	u.text += v.text
}

// slot is where the search for key starts: the top bits of the key times
// an odd constant, which depend on all of the key's bits.
func (d *docWords) slot(key uint64) uint64 {
	return key * 0x9e3779b97f4a7c15 >> d.shift
}

// sameLongWord is a == b for words of eight bytes or more, in two loads
// of each for the commonest lengths rather than a call to compare memory.
func sameLongWord(a, b []byte) bool {
	n := len(a)
	if n != len(b) {
		return false
	}
	if n > 16 {
		return string(a) == string(b)
	}
	return binary.LittleEndian.Uint64(a) == binary.LittleEndian.Uint64(b) &&
		binary.LittleEndian.Uint64(a[n-8:]) == binary.LittleEndian.Uint64(b[n-8:])
}

// longWordKey is the least key of a word longer than seven bytes.
const longWordKey = 1 << 63

// wordKey identifies a word. A word of up to seven bytes is its bytes,
// little-endian: no word has a zero byte, so no two short words share a
// key, and a short word is counted by comparing numbers. A longer word is
// a hash of its bytes, eight at a time, at or above longWordKey, which
// only says that two words may be equal. (countLowerWords makes the same
// keys as it reads.)
func wordKey(w []byte) uint64 {
	if len(w) < 8 {
		return littleEndian(w)
	}
	h := mixWord(binary.LittleEndian.Uint64(w))
	w = w[8:]
	for ; len(w) >= 8; w = w[8:] {
		h = mixWord(h ^ binary.LittleEndian.Uint64(w))
	}
	return longKey(h, littleEndian(w))
}

// littleEndian reads up to eight bytes as a little-endian number.
func littleEndian(b []byte) uint64 {
	var x uint64
	for i := len(b) - 1; i >= 0; i-- {
		x = x<<8 | uint64(b[i])
	}
	return x
}

// longKey is the key of a long word from the hash h of its first bytes,
// eight at a time, and its last zero to seven bytes, little-endian: no word
// has a zero byte, so the last bytes say how many there are.
func longKey(h, last uint64) uint64 {
	return mixWord(h^last) | longWordKey
}

func mixWord(h uint64) uint64 {
	h *= 0x9e3779b97f4a7c15 // odd: multiplying by it loses no bit
	return h ^ h>>32
}

// grow doubles the table.
func (d *docWords) grow() {
	d.slots = make([]int32, 2*len(d.slots))
	d.shift--
	mask := uint64(len(d.slots) - 1)
	for k, c := range d.counts {
		i := d.slot(c.key)
		for d.slots[i] != 0 {
			i = (i + 1) & mask
		}
		d.slots[i] = int32(k + 1)
	}
}

// reader returns a wordReader that counts its words in d, reading each
// into buf when it must be copied.
func (d *docWords) reader(buf []byte) wordReader {
	if buf == nil {
		buf = make([]byte, 0, 64)
	}
	return wordReader{counts: d, word: buf}
}

// pack returns the counts in the form Doc keeps them until Index reads them
// with nextWord: for each word in order of first use, its length and bytes,
// then its title, heading and text counts, all as uvarints. A page's list
// takes a fifth of the room of its text on the benchmark site.
func (d *docWords) pack() []byte {
	b := make([]byte, 0, len(d.keys)+4*len(d.counts))
	for _, c := range d.counts {
		b = binary.AppendUvarint(b, uint64(c.n))
		b = append(b, d.keys[c.at:c.at+c.n]...)
		b = binary.AppendUvarint(b, uint64(c.title))
		b = binary.AppendUvarint(b, uint64(c.head))
		b = binary.AppendUvarint(b, uint64(c.text))
	}
	return slices.Clip(b)
}

// nextWord reads the first word of a packed list, with its uses, and
// returns the rest of the list.
func nextWord(b []byte) (w []byte, u uses, rest []byte) {
	if n := int(b[0]); n < 0x80 && len(b) >= n+4 {
		// The commonest case, with one byte for each number: a word
		// shorter than 128 bytes that is used fewer than 128 times.
		w, c := b[1:1+n], b[1+n:1+n+3]
		if c[0]|c[1]|c[2] < 0x80 {
			return w, uses{uint32(c[0]), uint32(c[1]), uint32(c[2])}, b[n+4:]
		}
	}
	n, b := uvarint(b)
	w, b = b[:n], b[n:]
	var counts [3]uint64
	for i := range counts {
		counts[i], b = uvarint(b)
	}
	return w, uses{uint32(counts[0]), uint32(counts[1]), uint32(counts[2])}, b
}

func uvarint(b []byte) (uint64, []byte) {
	v, n := binary.Uvarint(b)
	return v, b[n:]
}
