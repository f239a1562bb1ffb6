package config

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

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
var sections = []section{natsSection, metaSection, whatsAppSection, laporSection, webSection, officeSection}

// durationOption is a row for a key holding a Go duration (or seconds).
func durationOption(key, doc string, def time.Duration, field func(c *Config) *time.Duration) option {
	return option{
		key: key, def: def.String(), doc: doc,
		set: func(c *Config, v string) error {
			d, err := parseDuration(v)
			if err != nil {
				return err
			}
			*field(c) = d
			return nil
		},
		get: func(c *Config) string { return field(c).String() },
	}
}

// boolOption is a row for a key holding true or false.
func boolOption(key, doc string, def bool, field func(c *Config) *bool) option {
	return option{
		key: key, def: strconv.FormatBool(def), doc: doc,
		set: func(c *Config, v string) error {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%q is not true or false", v)
			}
			*field(c) = b
			return nil
		},
		get: func(c *Config) string { return strconv.FormatBool(*field(c)) },
	}
}

// intOption is a row for a key holding a whole number.
func intOption(key, doc string, def int, field func(c *Config) *int) option {
	return option{
		key: key, def: strconv.Itoa(def), doc: doc,
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			*field(c) = n
			return nil
		},
		get: func(c *Config) string { return strconv.Itoa(*field(c)) },
	}
}

// problems collects validation errors, each starting with the key at fault.
type problems []error

func (p *problems) add(key, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: "+format, append([]any{key}, args...)...))
}

// optionalDir checks that dir, when set, is an existing folder.
func (p *problems) optionalDir(key, dir string) {
	if dir == "" {
		return
	}
	if fi, err := os.Stat(dir); err != nil {
		p.add(key, "%v", err)
	} else if !fi.IsDir() {
		p.add(key, "%q is not a directory", dir)
	}
}
