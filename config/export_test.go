package config

import (
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes every key as a Markdown table, for the README.
func WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("| Key | Default | Meaning |\n|---|---|---|\n")
	esc := strings.NewReplacer("|", `\|`)
	for _, d := range Document() {
		key := "`" + d.Key + "`"
		if d.Secret {
			key += " (or `" + d.Key + "_FILE`)"
		}
		def := ""
		if d.Default != "" {
			def = "`" + esc.Replace(d.Default) + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", key, def, esc.Replace(d.Description))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
