package site

// Homepage is the front matter of index.md (layout homepage): every section
// the Isomer homepage editor writes, in order.
type Homepage struct {
	Notification string    `yaml:"notification"`
	Sections     []Section `yaml:"sections"`
}

// Section is one homepage section. The YAML is a one-key map; exactly one
// field is set.
type Section struct {
	Hero          *Hero          `yaml:"hero"`
	Infobar       *Infobar       `yaml:"infobar"`
	Infopic       *Infopic       `yaml:"infopic"`
	Resources     *Resources     `yaml:"resources"`
	Announcements *Announcements `yaml:"announcements"`
	TextCards     *TextCards     `yaml:"textcards"`
	InfoCols      *InfoCols      `yaml:"infocols"`
	Carousel      []CarouselItem `yaml:"carousel"`
	Listing       *Listing       `yaml:"listing"`
}

// Name says which section kind is set, or "" for an unknown section.
func (s Section) Name() string {
	switch {
	case s.Hero != nil:
		return "hero"
	case s.Infobar != nil:
		return "infobar"
	case s.Infopic != nil:
		return "infopic"
	case s.Resources != nil:
		return "resources"
	case s.Announcements != nil:
		return "announcements"
	case s.TextCards != nil:
		return "textcards"
	case s.InfoCols != nil:
		return "infocols"
	case s.Carousel != nil:
		return "carousel"
	case s.Listing != nil:
		return "listing"
	}
	return ""
}

// Hero is the homepage banner; it must be the first section.
type Hero struct {
	Title           string         `yaml:"title"`
	Subtitle        string         `yaml:"subtitle"`
	Background      string         `yaml:"background"`
	Variant         string         `yaml:"variant"` // center (default), image, side, floating
	BackgroundColor string         `yaml:"backgroundColor"`
	Size            string         `yaml:"size"`
	Alignment       string         `yaml:"alignment"`
	Button          string         `yaml:"button"`
	URL             string         `yaml:"url"`
	Dropdown        *HeroDropdown  `yaml:"dropdown"`
	KeyHighlights   []KeyHighlight `yaml:"key_highlights"`
}

// HeroDropdown is the hero's "I want to..." menu.
type HeroDropdown struct {
	Title   string      `yaml:"title"`
	Options []LinkTitle `yaml:"options"`
}

// LinkTitle is a titled link.
type LinkTitle struct {
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

// KeyHighlight is one entry of the bar under the hero.
type KeyHighlight struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	URL         string `yaml:"url"`
}

// Infobar is a centred call-to-action section.
type Infobar struct {
	Title       string `yaml:"title"`
	Subtitle    string `yaml:"subtitle"`
	Description string `yaml:"description"`
	Button      string `yaml:"button"`
	URL         string `yaml:"url"`
}

// Infopic is text beside an image; consecutive ones alternate sides.
type Infopic struct {
	Title       string `yaml:"title"`
	Subtitle    string `yaml:"subtitle"`
	Description string `yaml:"description"`
	Button      string `yaml:"button"`
	URL         string `yaml:"url"`
	Image       string `yaml:"image"`
	Alt         string `yaml:"alt"`
}

// Resources shows the latest resource items.
type Resources struct {
	Title    string `yaml:"title"`
	Subtitle string `yaml:"subtitle"`
	Button   string `yaml:"button"`
}

// Announcements is a list of dated notices.
type Announcements struct {
	Title    string         `yaml:"title"`
	Subtitle string         `yaml:"subtitle"`
	Items    []Announcement `yaml:"announcement_items"`
}

// Announcement is one notice.
type Announcement struct {
	Title        string `yaml:"title"`
	Date         string `yaml:"date"`
	Announcement string `yaml:"announcement"`
	LinkText     string `yaml:"link_text"`
	LinkURL      string `yaml:"link_url"`
}

// TextCards is a row of linked text cards.
type TextCards struct {
	Title       string     `yaml:"title"`
	Subtitle    string     `yaml:"subtitle"`
	Description string     `yaml:"description"`
	Cards       []TextCard `yaml:"cards"`
}

// TextCard is one card; every card is a link.
type TextCard struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
	LinkText    string `yaml:"linktext"`
	URL         string `yaml:"url"`
}

// InfoCols is a grid of info boxes.
type InfoCols struct {
	Title     string    `yaml:"title"`
	Subtitle  string    `yaml:"subtitle"`
	URL       string    `yaml:"url"`
	LinkText  string    `yaml:"linktext"`
	InfoBoxes []InfoBox `yaml:"infoboxes"`
}

// InfoBox is one info column.
type InfoBox struct {
	Title       string `yaml:"title"`
	Description string `yaml:"description"`
}

// CarouselItem is a slide of the legacy carousel section.
type CarouselItem struct {
	Title       string `yaml:"title"`
	Subtitle    string `yaml:"subtitle"`
	Description string `yaml:"description"`
	Image       string `yaml:"image"`
	Alt         string `yaml:"alt"`
}

// Listing is the legacy logo listing section.
type Listing struct {
	Title   string         `yaml:"title"`
	Entries []ListingEntry `yaml:"entries"`
}

// ListingEntry is one logo of a listing.
type ListingEntry struct {
	URL   string `yaml:"url"`
	Image string `yaml:"image"`
}

// ContactUs is the front matter of the contact page (layout contact_us).
type ContactUs struct {
	AgencyName string     `yaml:"agency_name"`
	Image      string     `yaml:"image"`
	Feedback   string     `yaml:"feedback"`
	Locations  []Location `yaml:"locations"`
	Contacts   []Contact  `yaml:"contacts"`
}

// Location is an office with its address and opening hours.
type Location struct {
	Title          string          `yaml:"title"`
	Address        AddressLines    `yaml:"address"`
	MapsLink       string          `yaml:"maps_link"`
	OperatingHours []OperatingHour `yaml:"operating_hours"`
}

// OperatingHour is one line of opening hours.
type OperatingHour struct {
	Days        string `yaml:"days"`
	Time        string `yaml:"time"`
	Description string `yaml:"description"`
}

// Contact is a group of phone numbers, emails and free text.
type Contact struct {
	Title   string        `yaml:"title"`
	Content []ContactItem `yaml:"content"`
}

// ContactItem is one of phone, email or other (HTML allowed).
type ContactItem struct {
	Phone string `yaml:"phone"`
	Email string `yaml:"email"`
	Other string `yaml:"other"`
}
