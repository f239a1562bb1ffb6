package config

// section is the part of the configuration that belongs to one adapter,
// kept in that adapter's own file (meta.go, whatsapp.go, ...) so adding a
// key touches one place: its options, its defaults and its checks.
type section struct {
	// options returns the section's rows of the key table.
	options func() []option
	// defaults sets the section's defaults on c.
	defaults func(c *Config)
	// validate returns one error per problem, each starting with the key.
	validate func(c *Config) []error
}

// sections lists every adapter's section in documentation order.
var sections = []section{metaSection, whatsAppSection, laporSection, webSection}
