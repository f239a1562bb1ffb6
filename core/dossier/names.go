package dossier

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameRunes bounds a safe name's length, extension included.
const maxNameRunes = 80

// SafeName makes a received file name safe to name a file in an archive
// and on any disk it is unpacked to. Only the last path element is kept;
// line breaks and tabs become spaces, runs of spaces one; other control
// and format characters (NUL, bidirectional overrides) go; characters
// Windows refuses (<>:"|?*) become "_"; leading dots and spaces go, so it
// is neither hidden nor "..", and so do trailing ones, which Windows drops;
// it is cut to 80 characters keeping its extension. Nothing left gives
// "lampiran".
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), r == utf8.RuneError, unicode.Is(unicode.Cf, r):
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(strings.Join(strings.Fields(name), " "), ". ")
	if r := []rune(name); len(r) > maxNameRunes {
		ext := []rune(path.Ext(name))
		if len(ext) > 16 {
			ext = nil
		}
		name = strings.TrimRight(string(r[:maxNameRunes-len(ext)]), ". ") + string(ext)
	}
	if name == "" {
		return "lampiran"
	}
	return name
}

// attachmentNames gives each attachment its entry name,
// lampiran/<n>-<safe name>, numbered from 1 in order: the number keeps two
// files of the same name apart, and keeps their order.
func attachmentNames(as []Attachment) []string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = fmt.Sprintf("%s%d-%s", AttachmentDir, i+1, SafeName(a.Name))
	}
	return names
}
