package identity

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Person is someone other than the reporter whom a message is about: the
// mother registered for the aid, a husband, a neighbour (the penerima
// manfaat). Relation is a normalized kin word ("ibu", "suami", "tetangga").
type Person struct {
	Name     string
	NIK      string
	Relation string
}

// Empty reports whether nothing is known of the person.
func (p Person) Empty() bool { return p.Name == "" && p.NIK == "" }

// kinRelation maps the words citizens use for relatives and neighbours
// (Indonesian and Bangka Malay) to one relation each.
var kinRelation = map[string]string{
	"ibu": "ibu", "mak": "ibu", "emak": "ibu", "mamak": "ibu", "mama": "ibu", "umak": "ibu", "ibunda": "ibu",
	"bapak": "bapak", "ayah": "bapak", "bapa": "bapak", "abah": "bapak", "papa": "bapak", "bak": "bapak",
	"suami": "suami", "laki": "suami", "istri": "istri", "isteri": "istri", "bini": "istri",
	"anak": "anak", "adik": "adik", "adek": "adik", "kakak": "kakak", "abang": "kakak",
	"nenek": "nenek", "nek": "nenek", "kakek": "kakek", "datuk": "kakek", "atok": "kakek",
	"mertua": "mertua", "tetangga": "tetangga", "paman": "paman", "bibi": "bibi", "cucu": "cucu",
	"keponakan": "keponakan", "ponakan": "keponakan", "ortu": "orang tua", "menantu": "menantu",
}

// kinVocative are kin words that also address or title a person ("Ibu
// Marlina", "pak"); they name a relative only with a possessive ("ibu saya").
var kinVocative = wordSet(`ibu bapak kakak abang adik adek nek nenek kakek bak`)

// possessives after a kin word make it the reporter's relative.
var possessives = wordSet(`saya sy aku ku gue gw kami`)

// personIntro may stand between the relative and their name.
var personIntro = wordSet(`namanya nama bernama yaitu yakni an`)

// personTitle may open the relative's name ("tetangga sy nenek Sarmini").
var personTitle = wordSet(`nenek nek kakek datuk atok ibu bu bapak pak mbah wak bi`)

// mention is one place where a message speaks of someone else.
type mention struct {
	start, end int // the kin phrase, with a "nama"/"NIK" label before it
	spanEnd    int // where data stops being about this person
	relation   string
	nameStart  int
	nameEnd    int
	name       string
}

// word is a run of letters in x.low.
type word struct{ start, end int }

func (x *extraction) words() []word {
	var ws []word
	for i := 0; i < len(x.low); {
		c := x.low[i]
		if c < 'a' || c > 'z' {
			i++
			continue
		}
		j := i
		for j < len(x.low) && x.low[j] >= 'a' && x.low[j] <= 'z' {
			j++
		}
		ws = append(ws, word{i, j})
		i = j
	}
	return ws
}

// findPersons finds where the message speaks of a relative or neighbour
// ("ibu saya", "suami sy", "NIK mak", "anakku") and their name, so that
// their NIK and name are never taken for the reporter's.
func (x *extraction) findPersons() {
	if !x.mayMentionKin() {
		return
	}
	ws := x.words()
	for i, w := range ws {
		token := x.low[w.start:w.end]
		rel, ok := kinRelation[token]
		end := w.end
		if !ok && strings.HasSuffix(token, "ku") {
			rel, ok = kinRelation[strings.TrimSuffix(token, "ku")]
		}
		if !ok {
			continue
		}
		start := w.start
		var prev string
		if i > 0 && x.onlyBlanks(ws[i-1].end, w.start) {
			prev = x.low[ws[i-1].start:ws[i-1].end]
		}
		switch {
		case token != "" && strings.HasSuffix(token, "ku") && kinRelation[token] == "":
		case i+1 < len(ws) && possessives[x.low[ws[i+1].start:ws[i+1].end]] && x.onlyBlanks(w.end, ws[i+1].start):
			end = ws[i+1].end
		case (prev == "nama" || prev == "nik" || prev == "ktp") && !kinVocative[token]:
		case (prev == "nik" || prev == "ktp") && x.digitsAt(skipFill(x.text, w.end, len(x.text), " :")):
			// "NIK bapak 1903…": no one is addressed between a label and its number.
		default:
			continue
		}
		if prev == "nama" || prev == "nik" || prev == "ktp" {
			start = ws[i-1].start
		}
		// "ibu saya" in "Saya Ibu Marlina" is a title, not a relative; a
		// relation word right after "saya" is the reporter speaking of themself.
		if prev == "saya" || prev == "sy" || prev == "aku" {
			continue
		}
		m := mention{start: start, end: end, relation: rel}
		x.readPersonName(&m)
		x.persons = append(x.persons, m)
	}
	for k := range x.persons {
		m := &x.persons[k]
		m.spanEnd = x.personSpanEnd(m.end)
		if k+1 < len(x.persons) && x.persons[k+1].start < m.spanEnd {
			m.spanEnd = x.persons[k+1].start
		}
	}
}

func (x *extraction) mayMentionKin() bool {
	for _, k := range []string{"ibu", "mak", "mam", "bap", "ayah", "abah", "bak", "papa", "suami", "laki", "istri",
		"isteri", "bini", "anak", "adi", "ade", "kakak", "abang", "nek", "kakek", "datuk", "atok", "mertua",
		"tetangga", "paman", "bibi", "cucu", "ponakan", "ortu", "menantu"} {
		if strings.Contains(x.low, k) {
			return true
		}
	}
	return false
}

// digitsAt reports whether a digit is at pos.
func (x *extraction) digitsAt(pos int) bool {
	return pos < len(x.text) && x.text[pos] >= '0' && x.text[pos] <= '9'
}

func (x *extraction) onlyBlanks(from, to int) bool {
	return strings.Trim(x.text[from:to], " ") == ""
}

// readPersonName reads the relative's name after the kin phrase: "suami sy
// Rahmat", "anak sy namanya Dewi Lestari", "tetangga sy nenek Sarmini".
func (x *extraction) readPersonName(m *mention) {
	p := skipFill(x.text, m.end, len(x.text), " :")
	intro := false
	if q := skipFill(x.text, p, len(x.text), ", "); q > p && personIntro[firstWord(x.low[q:])] {
		p = q // "bapak sy, namanya Sulaiman"
	}
	if w := firstWord(x.low[p:]); personIntro[w] {
		p = skipFill(x.text, p+len(w), len(x.text), " :.")
		intro = true
	}
	if w := firstWord(x.low[p:]); personTitle[w] && p+len(w) < len(x.text) {
		p = skipFill(x.text, p+len(w), len(x.text), " .")
	}
	var words []string
	start, end := p, p
	for q := p; q < len(x.text) && len(words) < 4; {
		q = skipFill(x.text, q, len(x.text), " ")
		r, _ := utf8.DecodeRuneInString(x.text[q:])
		if q >= len(x.text) || !unicode.IsLetter(r) {
			break
		}
		e := q
		for e < len(x.text) {
			r, size := utf8.DecodeRuneInString(x.text[e:])
			if !unicode.IsLetter(r) && r != '\'' && r != '-' {
				break
			}
			e += size
		}
		w, core := x.text[q:e], x.low[q:e]
		if nameStop[core] || smallTalk[core] || kinRelation[core] != "" || addrStop[core] ||
			(!intro && !unicode.IsUpper(r)) || (!intro && !hasLower(x.text)) {
			break
		}
		words = append(words, w)
		end = e
		q = e
	}
	if len(words) == 0 {
		return
	}
	name := titleCase(words)
	if letters(name) < 3 {
		return
	}
	m.name, m.nameStart, m.nameEnd = name, start, end
}

// personSpanEnd is where talk of a person ends: the end of the sentence or
// line, or where the reporter speaks of themself again ("nama saya", "NIK
// saya").
func (x *extraction) personSpanEnd(pos int) int {
	end := len(x.text)
	if i := strings.IndexAny(x.text[pos:], "\n!?"); i >= 0 {
		end = pos + i
	}
	for i := pos; i+1 < end; i++ {
		if x.text[i] == '.' && x.text[i+1] == ' ' && i > pos && unicode.IsLetter(rune(x.text[i-1])) {
			j := i
			for j > pos && x.low[j-1] >= 'a' && x.low[j-1] <= 'z' {
				j--
			}
			if core := x.low[j:i]; len(core) >= 3 && !addrAbbrev[core] && !nameAbbrev[core] {
				end = i
				break
			}
		}
	}
	for _, m := range reSelf.findAll(x.low[pos:end]) {
		return pos + m[0]
	}
	return end
}

// reSelf marks the reporter speaking of themself again.
var reSelf = pattern{regexp.MustCompile(`\b(?:nama|nik|ktp|alamat|no\s+hp|hp)\s+(?:saya|sy|aku|ku)\b`), []string{"nama", "nik", "ktp", "alamat", "hp"}}

// personAt returns the mention whose span holds pos, or nil.
func (x *extraction) personAt(pos int) *mention {
	for k := range x.persons {
		if m := &x.persons[k]; pos >= m.start && pos < m.spanEnd {
			return m
		}
	}
	return nil
}

// finishPersons reports the first person named with a name or NIK, and cuts
// a clause that only names them ("suami sy Rahmat,") from the complaint.
func (x *extraction) finishPersons() {
	for _, m := range x.persons {
		if m.name == "" && x.personNIK[m.start] == "" {
			continue
		}
		if x.found.Concerned.Empty() {
			x.found.Concerned = Person{Name: m.name, NIK: x.personNIK[m.start], Relation: m.relation}
		}
		end := m.end
		if m.name != "" {
			end = m.nameEnd
		}
		if x.namingClause(end) {
			x.cutSpan(m.start, end)
		}
	}
}

// namingClause: after pos, up to the end of the clause, is nothing but cut
// data and small talk ("…1903… pak, yg terdaftar").
func (x *extraction) namingClause(pos int) bool {
	for i := pos; i < len(x.text); {
		c := x.text[i]
		switch {
		case c == ',' || c == ';' || c == '\n' || (c == '.' && (i+1 == len(x.text) || x.text[i+1] == ' ')):
			return true
		case x.cut[i] || c == ' ' || c == ':':
			i++
		case x.low[i] >= 'a' && x.low[i] <= 'z':
			w := firstWord(x.low[i:])
			if !smallTalk[w] && !vocatives[w] {
				return false
			}
			i += len(w)
		default:
			return false
		}
	}
	return true
}
