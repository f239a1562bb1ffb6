package dialog

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
)

// FAQEntry is one question the bot answers from the office's published
// standard: its topic, the phrases that ask it (lower case, matched as whole
// words) and the answer.
type FAQEntry struct {
	Topic    string   `json:"topic"`
	Keywords []string `json:"keywords"`
	Answer   string   `json:"answer"`
}

// FAQFile is the name of the FAQ in the templates folder; a file of that
// name replaces the embedded one.
const FAQFile = "faq.json"

//go:embed faq.json
var embeddedFAQ []byte

type faqSet []FAQEntry

func parseFAQ(b []byte, where string) (faqSet, error) {
	var f faqSet
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%w file %s: %w", ErrTemplate, where, err)
	}
	for i, e := range f {
		if e.Topic == "" || strings.TrimSpace(e.Answer) == "" || len(e.Keywords) == 0 {
			return nil, fmt.Errorf("%w file %s: entry %d needs a topic, keywords and an answer", ErrTemplate, where, i+1)
		}
		for k, kw := range e.Keywords {
			f[i].Keywords[k] = normalizeClause(kw)
		}
	}
	return f, nil
}

// questionWords make a clause a question even without a question mark.
var questionWords = wordSet(`apa apakah apa2 brp berapa kapan dimana mana dmn gimana gmn bagaimana bgmn kah gak ga gk nggak tidak bisa bs boleh ya`)

// match returns the entries a clause asks (n is normalized). A clause must
// read as a question: a question mark in the message, or a question word.
func (f faqSet) match(n string, question bool) []FAQEntry {
	if !question {
		for _, w := range strings.Fields(n) {
			if questionWords[w] {
				question = true
				break
			}
		}
		if !question {
			return nil
		}
	}
	padded := " " + n + " "
	var out []FAQEntry
	for _, e := range f {
		for _, kw := range e.Keywords {
			if strings.Contains(padded, " "+kw+" ") {
				out = append(out, e)
				break
			}
		}
	}
	return out
}
