package config

import "strings"

// OfficeConfig is the office's letterhead, printed on the berita acara and
// other documents Aduan issues.
type OfficeConfig struct {
	// Name is the office's full name (ADUAN_OFFICE_NAME).
	Name string
	// Address is its street address (ADUAN_OFFICE_ADDRESS).
	Address string
	// Phone is its telephone number, empty for none (ADUAN_OFFICE_PHONE).
	Phone string
	// City is where documents are signed: "Pangkalpinang, 31 Maret 2026"
	// (ADUAN_OFFICE_CITY).
	City string
}

// Keys of the office section.
const (
	KeyOfficeName    = "ADUAN_OFFICE_NAME"
	KeyOfficeAddress = "ADUAN_OFFICE_ADDRESS"
	KeyOfficePhone   = "ADUAN_OFFICE_PHONE"
	KeyOfficeCity    = "ADUAN_OFFICE_CITY"
)

// Defaults of the office section: the office Aduan was built for.
const (
	DefaultOfficeName    = "Dinas Sosial dan Pemberdayaan Masyarakat Desa Provinsi Kepulauan Bangka Belitung"
	DefaultOfficeAddress = "Komplek Perkantoran Gubernur, Air Itam, Pangkalpinang"
	DefaultOfficeCity    = "Pangkalpinang"
)

var officeSection = section{
	options: func() []option {
		return []option{
			textOption(KeyOfficeName, DefaultOfficeName, "Office name on the letterhead of the berita acara.",
				func(c *Config) *string { return &c.Office.Name }),
			textOption(KeyOfficeAddress, DefaultOfficeAddress, "Office address on the letterhead.",
				func(c *Config) *string { return &c.Office.Address }),
			textOption(KeyOfficePhone, "", "Office telephone on the letterhead. Empty: no telephone line.",
				func(c *Config) *string { return &c.Office.Phone }),
			textOption(KeyOfficeCity, DefaultOfficeCity, "City where the berita acara is signed, written before its date.",
				func(c *Config) *string { return &c.Office.City }),
		}
	},
	defaults: func(c *Config) {
		c.Office = OfficeConfig{Name: DefaultOfficeName, Address: DefaultOfficeAddress, City: DefaultOfficeCity}
	},
}

// textOption is a row for a key holding free text; runs of white space
// (a value wrapped over lines in an env file) become one space.
func textOption(key, def, doc string, field func(c *Config) *string) option {
	return option{
		key: key, def: def, doc: doc,
		set: func(c *Config, v string) error { *field(c) = strings.Join(strings.Fields(v), " "); return nil },
		get: func(c *Config) string { return *field(c) },
	}
}
