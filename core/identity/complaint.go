package identity

import (
	"strings"
	"unicode"
)

// minComplaintWords is the fewest words a complaint may have; shorter text
// ("belum cair") is too thin to act on, and the dialog asks for more.
const minComplaintWords = 3

// complaintText is what remains of text once the identity data (cut) is
// removed: greetings, thanks and clauses of pure small talk ("ini ktp
// saya") are dropped, the rest keeps the reporter's wording. It is "" when
// fewer than minComplaintWords words or no content word remain.
func complaintText(text string, cut []bool) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if !cut[i] {
			b.WriteByte(text[i])
		} else if i == 0 || !cut[i-1] {
			b.WriteByte(' ')
		}
	}
	var lines []string
	words, content := 0, false
	for line := range strings.SplitSeq(b.String(), "\n") {
		var kept []string
		for _, c := range Clauses(line) {
			body, punct := splitPunct(c)
			body = stripTrailing(stripLeading(body))
			ws := wordsOf(body)
			if !hasSubstance(ws) {
				continue
			}
			for _, w := range ws {
				if !smallTalk[w] && !functionWords[w] && hasLetter(w) {
					content = true
				}
			}
			words += len(ws)
			kept = append(kept, strings.Join(strings.Fields(body), " ")+punct)
		}
		if len(kept) > 0 {
			lines = append(lines, strings.Join(kept, " "))
		}
	}
	if words < minComplaintWords || !content {
		return ""
	}
	return strings.TrimRight(strings.Join(lines, "\n"), ",;:- ")
}

// Clauses splits text after , ; ! ? and line breaks, and after a dot that
// ends a word; each clause keeps its own characters and the separators and
// blanks that follow it, so the clauses put back together are the text.
func Clauses(text string) []string {
	var out []string
	start := 0
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != ',' && c != ';' && c != '!' && c != '?' && c != '\n' && (c != '.' || i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\n') {
			continue
		}
		j := i + 1
		for j < len(text) && strings.IndexByte(",;!?.\n ", text[j]) >= 0 {
			j++
		}
		out = append(out, text[start:j])
		start, i = j, j-1
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// splitPunct separates a clause from its closing punctuation, and drops
// separators left over at its start once identity data was cut.
func splitPunct(c string) (string, string) {
	c = strings.TrimLeft(c, " ,;:-.")
	body := strings.TrimRight(c, " ,;!?.:-")
	punct := strings.TrimSpace(c[len(body):])
	return body, punct
}

// stripLeading removes an opening greeting: "Halo min", "selamat pagi
// bapak", "assalamualaikum wr wb". "pagi"/"malam" count only after
// "selamat" or before a vocative; "bapak"/"ibu" only as the last word after
// a greeting ("halo ibu saya ..." keeps "ibu saya").
func stripLeading(body string) string {
	fields := strings.Fields(body)
	n := 0
	for n < len(fields) {
		w := wordCore(fields[n])
		var next, prev string
		if n+1 < len(fields) {
			next = wordCore(fields[n+1])
		}
		if n > 0 {
			prev = wordCore(fields[n-1])
		}
		switch {
		case w == "pagi" || w == "siang" || w == "sore" || w == "malam":
			if prev != "selamat" && prev != "slmt" && prev != "met" && !vocatives[next] && next != "" {
				return rejoin(fields[n:])
			}
		case w == "mohon" && next == "maaf":
		case w == "bapak" || w == "ibu" || w == "bapak/ibu":
			if n == 0 || next != "" {
				return rejoin(fields[n:])
			}
		case greetings[w] || vocatives[w]:
		default:
			return rejoin(fields[n:])
		}
		n++
	}
	return ""
}

// stripTrailing removes closing thanks and vocatives: "terima kasih
// banyak pak", "ya min". A trailing "ya" alone stays.
func stripTrailing(body string) string {
	fields := strings.Fields(body)
	n, keep := len(fields), len(fields)
	for n > 0 {
		w := wordCore(fields[n-1])
		switch {
		case w == "kasih" && n > 1 && (wordCore(fields[n-2]) == "terima" || wordCore(fields[n-2]) == "trima"):
			n -= 2
			keep = n
			continue
		case thanks[w] || vocatives[w] || w == "wassalam" || w == "wassalamualaikum":
			n--
			keep = n
			continue
		case w == "ya" || w == "yah" || w == "banyak" || w == "sebelumnya" || w == "you" || w == "thank":
			n--
			continue
		}
		break
	}
	return rejoin(fields[:keep])
}

func rejoin(fields []string) string { return strings.Join(fields, " ") }

// wordCore is a word in lower case without surrounding punctuation.
func wordCore(w string) string {
	return strings.ToLower(strings.TrimFunc(w, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '/'
	}))
}

// wordsOf lists the words of s that hold a letter or digit, as wordCore.
func wordsOf(s string) []string {
	var out []string
	for _, f := range strings.Fields(s) {
		if w := wordCore(f); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// hasSubstance: a clause is kept unless it is only small talk.
func hasSubstance(ws []string) bool {
	for _, w := range ws {
		if !smallTalk[w] {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	return strings.IndexFunc(s, unicode.IsLetter) >= 0
}
