package identity

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Patterns run on a lower-cased copy of the text in which every digit is
// '#', so "nik1971..." still has a word boundary after "nik".
var (
	reNIKLabel = pattern{regexp.MustCompile(`\b(?:(?:no|nmr|nomer|nomor|nomr)\.?\s*)?(?:(?:nik|n\.i\.k)(?:nya)?|(e-?ktp|ktp)|(?:nomor\s+)?induk\s+kependudukan)\b(?:\s*(?:ktp|e-?ktp|saya|sy|aku|nya|anda|pelapor))*(?:\s*[:=]|\s+(?:adalah|yaitu|yakni|ialah)\b)?`), []string{"nik", "n.i.k", "ktp", "induk"}}
	reKKLabel  = pattern{regexp.MustCompile(`\b(?:(?:no|nmr|nomer|nomor)\.?\s*)?(?:kk|nkk|kartu\s+keluarga)(?:nya)?\b(?:\s*(?:saya|sy|aku|nya|kami))*(?:\s*[:=]|\s+(?:adalah|yaitu)\b)?`), []string{"kk", "kartu"}}
	reTelLabel = pattern{regexp.MustCompile(`\b(?:(?:no|nmr|nomer|nomor)\.?\s*)?(?:hp|hape|handphone|ponsel|wa|whatsapp|whatsap|telp|tlp|telpon|telepon|tel|kontak)(?:nya)?(?:\s*/\s*(?:hp|wa|whatsapp|telp|tlp|telepon))?\b(?:\s*(?:saya|sy|aku|nya|yg|yang|aktif|bisa|bs|dihubungi))*(?:\s*[:=]|\s+(?:adalah|yaitu|di|ke)\b)?|\b(?:bisa\s+)?(?:di)?hubungi(?:\s+(?:saya|sy|aku|kami))?(?:\s+(?:di|ke))?\b\s*:?`), []string{"hp", "hape", "handphone", "ponsel", "wa", "tel", "tlp", "kontak", "hubungi"}}
	reName     = pattern{regexp.MustCompile(`\b(?:nama(?:\s+lengkap)?(?:\s+pelapor)?(?:\s+(?:saya|sy|aku|gue|gw))?|perkenalkan(?:\s*,)?(?:\s+nama)?(?:\s+(?:saya|sy|aku))?)\b(?:\s*[:=\-]|\s+(?:adalah|yaitu|ialah)\b)?|\bnm\s*[:=]`), []string{"nama", "perkenalkan", "nm"}}
	reAddress  = pattern{regexp.MustCompile(`\b(?:(?:alamat|almt|alamt|almat)(?:\s+(?:lengkap|rumah|domisili))?(?:\s+(?:saya|sy|aku|kami))?(?:\s+(?:sekarang|skrg|skrang|baru))?|beralamat|berdomisili|domisili|bertempat\s+tinggal)\b(?:\s*[:=\-]|\s+(?:adalah|yaitu|di)\b)?`), []string{"alamat", "almt", "alamt", "almat", "domisili", "tinggal"}}
	reLiveIn   = pattern{regexp.MustCompile(`\b(?:(?:saya|sy|aku|kami)\s+(?:(?:sekarang|skrg|skrang|masih|sudah|sdh|udah)\s+)?)?tinggal\s+di\b`), []string{"tinggal"}}
	reTopic    = pattern{regexp.MustCompile(`\b(?:isi\s+)?(?:aduan|pengaduan|keluhan|laporan|permasalahan|masalah)\s*:`), []string{"aduan", "keluhan", "laporan", "masalah"}}
	reStreet   = pattern{regexp.MustCompile(`(?m)(?:^|[.,;] ) *((?:jl|jln|gg)(?:\.| ))`), []string{"jl", "gg"}}
	reSaya     = pattern{regexp.MustCompile(`\b(?:saya|sy|aku)\s+`), []string{"saya", "sy", "aku"}}
	reKKWord   = pattern{regexp.MustCompile(`\b(?:kk|nkk|kartu\s+keluarga)\b`), []string{"kk", "kartu"}}
	reKTP      = pattern{regexp.MustCompile(`\b(?:e-?ktp|ktp|kartu\s+tanda\s+penduduk)\b`), []string{"ktp", "kartu"}}
	reCardWord = pattern{regexp.MustCompile(`\b(?:kk|nkk|kartu\s+keluarga|kks|atm|rekening|rek|kis|bpjs)\b`), []string{"kk", "kartu", "atm", "rek", "kis", "bpjs"}}
)

// pattern is a regexp with keywords, one of which every match contains, so
// that the regexp only runs on text that can match: most messages hold few
// labels, and the keyword test costs far less than the regexp.
type pattern struct {
	re   *regexp.Regexp
	keys []string
}

func (p pattern) possible(s string) bool {
	for _, k := range p.keys {
		if strings.Contains(s, k) {
			return true
		}
	}
	return false
}

func (p pattern) match(s string) bool { return p.possible(s) && p.re.MatchString(s) }

// findAll returns the submatch indexes of every match.
func (p pattern) findAll(s string) [][]int {
	if !p.possible(s) {
		return nil
	}
	return p.re.FindAllStringSubmatchIndex(s, -1)
}

// numGroup is a number as written: digit runs joined by single separators
// ("0812-3456-7890", "1971 0157 0890 0003").
type numGroup struct {
	start, end int // byte span, including a leading '+' or '('
	digits     string
	plus       bool
	used       bool // claimed as NIK, KK or phone
}

type labelKind int

const (
	labelName labelKind = iota
	labelNIK
	labelKK
	labelPhone
	labelAddress
)

type label struct {
	kind       labelKind
	start, end int
	// ktpOnly: the NIK label was "no KTP" rather than "NIK"; it then needs
	// a long number, so "ktp 2 lembar" is not a NIK.
	ktpOnly bool
	used    bool
}

// extraction holds one message while Extract works on it.
type extraction struct {
	text   string // newlines normalized
	low    string // ASCII lower case, digits as '#'
	now    time.Time
	groups []numGroup
	labels []label
	cut    []bool // bytes that are identity data, not complaint
	stops  []int  // positions where a name or address must end
	found  Found
	// persons are the places the message speaks of someone else;
	// personNIK their NIKs by mention start.
	persons   []mention
	personNIK map[int]string
	bareMin   int
}

// Extract finds identity data and the complaint text in one message.
// now bounds NIK birth dates.
//
// A number labelled as KK is never the NIK. A labelled NIK wins over an
// unlabelled one; a labelled NIK that fails ParseNIK is reported in
// NIKInvalid/NIKError only when no valid NIK is in the message. An
// unlabelled 16-digit number that fails is reported only when the message
// says nothing else (no complaint), the number opens with a province code
// and no other card (KK, KKS, ATM, account) is mentioned: a lone number sent
// during intake is almost always a NIK. KTPMentioned is true for any mention
// of the KTP; it is a hint for image captions and the dialog decides what it
// means. docs/identity.md describes the heuristics.
func Extract(text string, now time.Time) Found {
	return extract(text, now, 2)
}

// extract is Extract with the fewest words an unlabelled name line may
// have (one when the dialog just asked for the name).
func extract(text string, now time.Time, bareMin int) Found {
	x := newExtraction(text, now)
	x.bareMin = bareMin
	x.findLabels()
	x.findPersons()
	x.claimNumbers()
	x.findAddress()
	x.findName()
	x.findBareName()
	x.finishPersons()
	x.found.KTPMentioned = reKTP.match(x.low)
	x.found.KKMentioned = reKKWord.match(x.low)
	// A form's "Isi aduan:" label is not part of the complaint.
	for _, m := range reTopic.findAll(x.low) {
		x.cutSpan(m[0], m[1])
	}
	x.found.Complaint = complaintText(x.text, x.cut)
	x.lonelyNIK()
	return x.found
}

// blanks turns line endings and blanks into '\n' and ' ', the only ones the
// heuristics know.
var blanks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u00a0", " ", "\t", " ")

func newExtraction(text string, now time.Time) *extraction {
	text = blanks.Replace(text)
	low := []byte(text)
	for i, c := range low {
		switch {
		case c >= 'A' && c <= 'Z':
			low[i] = c + 'a' - 'A'
		case c >= '0' && c <= '9':
			low[i] = '#'
		}
	}
	return &extraction{
		text:   text,
		low:    string(low),
		now:    now,
		groups: findGroups(text),
		cut:    make([]bool, len(text)),
	}
}

func (x *extraction) findLabels() {
	add := func(p pattern, kind labelKind) {
		for _, m := range p.findAll(x.low) {
			x.labels = append(x.labels, label{kind: kind, start: m[0], end: m[1], ktpOnly: len(m) > 2 && m[2] >= 0})
		}
	}
	add(reNIKLabel, labelNIK)
	add(reKKLabel, labelKK)
	add(reTelLabel, labelPhone)
	add(reName, labelName)
	add(reAddress, labelAddress)
	slices.SortFunc(x.labels, func(a, b label) int { return a.start - b.start })
}

// groupAfter returns the number that directly follows a label, separated
// only by spaces, a line break or punctuation such as ':'.
func (x *extraction) groupAfter(pos int) *numGroup {
	i, _ := slices.BinarySearchFunc(x.groups, pos, func(g numGroup, pos int) int { return g.start - pos })
	if i == len(x.groups) {
		return nil
	}
	g := &x.groups[i]
	gap := x.text[pos:g.start]
	if len(gap) > 12 || strings.Count(gap, "\n") > 1 || strings.TrimLeft(gap, " \n:=-.") != "" {
		return nil
	}
	return g
}

// claimNumbers decides which numbers are the NIK, a KK number or the phone.
func (x *extraction) claimNumbers() {
	var nikInvalid string
	var nikErr error
	for i := range x.labels {
		l := &x.labels[i]
		if l.kind != labelNIK && l.kind != labelKK && l.kind != labelPhone {
			continue
		}
		g := x.groupAfter(l.end)
		if g == nil || g.used {
			continue
		}
		if m := x.personAt(g.start); m != nil && l.kind != labelKK {
			// Someone else's number: their NIK, never the reporter's.
			if l.kind == labelPhone || !x.takePersonNIK(m, g) {
				continue
			}
			l.used = true
			x.cutSpan(l.start, g.end)
			continue
		}
		switch l.kind {
		case labelKK:
			if len(g.digits) < 12 {
				continue
			}
			if x.found.KK == "" {
				x.found.KK = g.digits
			}
		case labelNIK:
			if l.ktpOnly && len(g.digits) < 12 {
				continue
			}
			nik, err := ParseNIK(g.digits, x.now)
			switch {
			case err == nil && x.found.NIK == "":
				x.found.NIK = nik.Number
			case err != nil && nikErr == nil:
				nikInvalid, nikErr = g.digits, err
			}
		case labelPhone:
			p, err := NormalizePhone(g.raw())
			if err != nil {
				continue
			}
			if x.found.Phone == "" {
				x.found.Phone = p
			}
		}
		g.used, l.used = true, true
		// Only the digits of a KK number go: "kk saya belum masuk DTKS"
		// is still the complaint.
		if l.kind == labelKK {
			x.cutSpan(g.start, g.end)
		} else {
			x.cutSpan(l.start, g.end)
		}
	}
	for i := range x.groups {
		g := &x.groups[i]
		if g.used {
			continue
		}
		if m := x.personAt(g.start); m != nil {
			if x.takePersonNIK(m, g) {
				x.cutSpan(g.start, g.end)
			}
			continue
		}
		switch {
		case len(g.digits) == 16:
			nik, err := ParseNIK(g.digits, x.now)
			if err != nil {
				continue
			}
			if x.found.NIK == "" {
				x.found.NIK = nik.Number
			}
		case strings.HasPrefix(g.digits, "08") || strings.HasPrefix(g.digits, "628"):
			nsn, mobile, err := phoneNumber(g.raw())
			if err != nil || !mobile {
				continue
			}
			if x.found.Phone == "" {
				x.found.Phone = "+62" + nsn
			}
		default:
			continue
		}
		g.used = true
		x.cutSpan(g.start, g.end)
	}
	if x.found.NIK == "" && nikErr != nil {
		x.found.NIKInvalid, x.found.NIKError = nikInvalid, nikErr
	}
	for _, l := range x.labels {
		if l.used || l.kind == labelName || l.kind == labelAddress {
			x.stops = append(x.stops, l.start)
		}
	}
	for _, g := range x.groups {
		if g.used {
			x.stops = append(x.stops, g.start)
		}
	}
	slices.Sort(x.stops)
}

// takePersonNIK records g as the NIK of the person of m when it is one.
func (x *extraction) takePersonNIK(m *mention, g *numGroup) bool {
	if len(g.digits) < 15 || len(g.digits) > 17 {
		return false
	}
	g.used = true
	if nik, err := ParseNIK(g.digits, x.now); err == nil && x.personNIK[m.start] == "" {
		if x.personNIK == nil {
			x.personNIK = map[int]string{}
		}
		x.personNIK[m.start] = nik.Number
	}
	return true
}

// lonelyNIK reports an unlabelled 16-digit number that failed validation
// when it is all the message says (see Extract).
func (x *extraction) lonelyNIK() {
	if x.found.NIK != "" || x.found.NIKError != nil || x.found.Complaint != "" || reCardWord.match(x.low) {
		return
	}
	for _, g := range x.groups {
		if g.used || len(g.digits) != 16 {
			continue
		}
		// Without a province code it is some other number.
		if _, err := ParseNIK(g.digits, x.now); err != nil && !errors.Is(err, ErrNIKProvince) {
			x.found.NIKInvalid, x.found.NIKError = g.digits, err
			return
		}
	}
}

// nextStop is the first position after pos where a value must end.
func (x *extraction) nextStop(pos int) int {
	i, _ := slices.BinarySearch(x.stops, pos+1)
	if i < len(x.stops) {
		return x.stops[i]
	}
	return len(x.text)
}

func (x *extraction) cutSpan(start, end int) {
	for i := start; i < end; i++ {
		x.cut[i] = true
	}
}

// openingContext reports whether pos (the start of "saya", "tinggal", ...)
// begins a sentence: the start of the text or line, after punctuation, or
// after a greeting such as "halo min". It keeps "ibu saya tinggal di ..."
// (someone else) apart from "saya tinggal di ...".
func (x *extraction) openingContext(pos int) bool {
	i := pos
	for i > 0 && x.text[i-1] == ' ' {
		i--
	}
	if i == 0 || strings.IndexByte("\n,.!?:;", x.text[i-1]) >= 0 {
		return true
	}
	j := i
	for j > 0 && x.low[j-1] >= 'a' && x.low[j-1] <= 'z' {
		j--
	}
	w := x.low[j:i]
	return greetings[w] || vocatives[w] || w == "perkenalkan"
}

func (x *extraction) findAddress() {
	try := func(labelStart, valueStart int) bool {
		addr, end, ok := x.readAddress(valueStart)
		if !ok {
			return false
		}
		x.found.Address = addr
		x.cutSpan(labelStart, end)
		return true
	}
	for _, l := range x.labels {
		if l.kind == labelAddress && try(l.start, l.end) {
			return
		}
	}
	for _, m := range reLiveIn.findAll(x.low) {
		if x.openingContext(m[0]) && try(m[0], m[1]) {
			return
		}
	}
	// A line that starts with a street ("Jl. Depati Amir No. 12") is an
	// address even without a label: the usual reply to "alamat?".
	for _, m := range reStreet.findAll(x.low) {
		if addr, end, ok := x.readAddress(m[2]); ok && strings.Contains(addr, " ") {
			x.found.Address = addr
			x.cutSpan(m[2], end)
			return
		}
	}
}

const maxAddressWords = 25

// readAddress reads an address from pos to the end of the line, the next
// label or the first word that starts the complaint ("saya", "bantuan", ...).
func (x *extraction) readAddress(pos int) (string, int, bool) {
	limit := x.nextStop(pos)
	p := skipFill(x.text, pos, limit, " :=-")
	if p < limit && x.text[p] == '\n' {
		p = skipFill(x.text, p+1, limit, " ")
	}
	if nl := strings.IndexByte(x.text[p:limit], '\n'); nl >= 0 {
		limit = p + nl
	}
	end, words := p, 0
	for q := p; q < limit && words < maxAddressWords; {
		q = skipFill(x.text, q, limit, " ")
		if q >= limit {
			break
		}
		we := limit
		if sp := strings.IndexByte(x.text[q:limit], ' '); sp >= 0 {
			we = q + sp
		}
		word := x.low[q:we]
		core := strings.Trim(word, ".,;:!?()\"'-")
		if addrQuestion[core] || strings.ContainsRune(word, '?') || words == 0 && addrOther[core] {
			return "", 0, false
		}
		if addrStop[core] {
			break
		}
		words++
		end = we
		if strings.HasSuffix(word, "!") || sentenceEnd(word, core) {
			break
		}
		q = we
	}
	addr := strings.Join(strings.Fields(strings.Trim(x.text[p:end], " ,.;:-")), " ")
	if words == 0 || len(addr) < 3 {
		return "", 0, false
	}
	return addr, end, true
}

// sentenceEnd: a word of four or more letters ending in '.' closes a
// sentence; "Jl." or "Kec." do not.
func sentenceEnd(word, core string) bool {
	if !strings.HasSuffix(word, ".") || len(core) < 4 || addrAbbrev[core] {
		return false
	}
	for _, r := range core {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func skipFill(s string, p, limit int, chars string) int {
	for p < limit && strings.IndexByte(chars, s[p]) >= 0 {
		p++
	}
	return p
}

func (x *extraction) findName() {
	for _, l := range x.labels {
		if l.kind != labelName || x.precededBy(l.start, "atas") || x.personAt(l.start) != nil {
			continue
		}
		// "Nama: ..." is a form; "nama saya ..." must open a sentence, so
		// "kenapa nama sy hilang" is not an introduction.
		if !strings.ContainsAny(x.low[l.start:l.end], ":=") && !x.openingContext(l.start) {
			continue
		}
		if name, end, ok := x.readName(l.end, true); ok {
			x.found.Name = name
			x.cutSpan(l.start, end)
			return
		}
	}
	for _, m := range reSaya.findAll(x.low) {
		if !x.openingContext(m[0]) {
			continue
		}
		name, end, ok := x.readName(m[1], false)
		if !ok || !x.confirmName(m[0], m[1], end) {
			continue
		}
		x.found.Name = name
		x.cutSpan(m[0], end)
		x.placeAfterName(end)
		return
	}
}

// placeAfterName reads "sy Rudi dari Kelapa, Bangka Barat": a capitalized
// place after "dari" or "asal" right after the name is the address.
func (x *extraction) placeAfterName(end int) {
	if x.found.Address != "" {
		return
	}
	p := skipFill(x.text, end, len(x.text), " ")
	w := firstWord(x.low[p:])
	if w != "dari" && w != "asal" {
		return
	}
	q := skipFill(x.text, p+len(w), len(x.text), " ")
	if r, _ := utf8.DecodeRuneInString(x.text[q:]); !unicode.IsUpper(r) {
		return
	}
	if addr, e, ok := x.readAddress(q); ok {
		x.found.Address = addr
		x.cutSpan(p, e)
	}
}

// findBareName takes an unlabelled line as the name when the message is a
// filled-in form without its labels ("Siti Aminah\n1971...\nJl. ..."), as
// citizens often answer the fill-in template: only when the same message
// holds other identity data, and only a line of two to five capitalized
// words that nothing else claimed.
func (x *extraction) findBareName() {
	f := &x.found
	if f.Name != "" || (f.NIK == "" && f.NIKInvalid == "" && f.Address == "" && f.Phone == "") {
		return
	}
	start := 0
	for _, line := range strings.SplitAfter(x.text, "\n") {
		end := start + len(line)
		if name, ok := x.bareName(start, end); ok {
			f.Name = name
			return
		}
		start = end
	}
}

func (x *extraction) bareName(start, end int) (string, bool) {
	if i := slices.Index(x.cut[start:end], true); i >= 0 {
		// "Hendra Gunawan. Jl Masjid Jamik No 5": the name before the address.
		if i == 0 || slices.Contains(x.cut[start+i:end], false) && strings.TrimSpace(strings.Trim(x.uncut(start+i, end), " .,;-")) != "" {
			return "", false
		}
		end = start + i
	}
	name, ok := nameShaped(strings.TrimRight(x.text[start:end], " .,;-\n"), x.bareMin, true)
	if ok {
		x.cutSpan(start, end)
	}
	return name, ok
}

// uncut is what is left of text[start:end] outside the cut bytes.
func (x *extraction) uncut(start, end int) string {
	var b strings.Builder
	for i := start; i < end; i++ {
		if !x.cut[i] {
			b.WriteByte(x.text[i])
		}
	}
	return b.String()
}

// nameShaped reports whether s is nothing but a person's name of at least
// minWords and at most five words (capitalized ones, if capitals), and
// returns it title-cased. Words of the stop lists (verbs, kin, labels, small
// talk, aid programmes) rule it out.
func nameShaped(s string, minWords int, capitals bool) (string, bool) {
	words := strings.Fields(s)
	if len(words) < minWords || len(words) > 5 {
		return "", false
	}
	for _, w := range words {
		core := strings.Trim(strings.ToLower(w), ".,")
		r, _ := utf8.DecodeRuneInString(w)
		if capitals && !unicode.IsUpper(r) {
			return "", false
		}
		if nameStop[core] || greetings[core] || honorifics[core] || smallTalk[core] || addrStop[core] || core == "ktp" {
			return "", false
		}
		for _, c := range w {
			if !unicode.IsLetter(c) && c != '.' && c != '\'' && c != '-' && c != ',' {
				return "", false
			}
		}
	}
	name := titleCase(words)
	return name, letters(name) >= 3
}

// precededBy reports whether the word before pos is w ("atas nama" is the
// aid's beneficiary, not the reporter).
func (x *extraction) precededBy(pos int, w string) bool {
	before := strings.TrimRight(x.low[:pos], " ")
	return before == w || strings.HasSuffix(before, " "+w) || strings.HasSuffix(before, "\n"+w)
}

const maxNameWords = 6

// readName reads up to maxNameWords words of a name. A name ends at a
// comma, line break, digit, label or a word of nameStop.
func (x *extraction) readName(pos int, labelled bool) (string, int, bool) {
	limit := x.nextStop(pos)
	var words []string
	end := pos
	for p := pos; p < limit; {
		p = skipFill(x.text, p, limit, " :=-")
		if p >= limit {
			break
		}
		if r, _ := utf8.DecodeRuneInString(x.text[p:]); !unicode.IsLetter(r) {
			break
		}
		q := p
		for q < limit {
			r, size := utf8.DecodeRuneInString(x.text[q:])
			if !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '.' && r != '-' {
				break
			}
			q += size
		}
		w, core := x.text[p:q], strings.Trim(x.low[p:q], ".-'")
		if len(words) == 0 && honorifics[core] && (labelled || unicode.IsUpper(rune(x.text[p]))) {
			p = q // "Nama: Ibu Siti", "Saya Ibu Marlina"
			continue
		}
		if nameStop[core] {
			break
		}
		words = append(words, w)
		end = q
		if len(words) > maxNameWords {
			return "", 0, false
		}
		// "Ani. Bantuan ..." ends the name; "Moh. Rizal" and "M. Nur" do not.
		if strings.HasSuffix(w, ".") && len(core) > 1 && !nameAbbrev[core] {
			break
		}
		p = q
	}
	name := titleCase(words)
	if letters(name) < 2 || (!labelled && len(words) > 4) {
		return "", 0, false
	}
	return name, end, true
}

// confirmName accepts "saya <words>" as an introduction only with evidence:
// the words are capitalized (in text that is not all capitals), or an
// identity item follows ("saya budi, nik ..."), or the message is nothing
// but the introduction ("sy budi santoso").
func (x *extraction) confirmName(sayaStart, start, end int) bool {
	next := skipFill(x.text, end, len(x.text), " ,.;:-\n")
	if next == len(x.text) {
		return onlyGreetings(x.low[:sayaStart])
	}
	if _, found := slices.BinarySearch(x.stops, next); found {
		return true
	}
	switch firstWord(x.low[next:]) {
	case "nik", "dari", "warga", "asal", "umur", "usia", "tinggal", "alamat", "no", "kk":
		return true
	}
	if !hasLower(x.text) {
		return false
	}
	for _, w := range strings.Fields(x.text[start:end]) {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsUpper(r) && !nameParticles[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

func onlyGreetings(s string) bool {
	for _, w := range strings.Fields(s) {
		w = strings.Trim(w, ".,!?:;")
		if w != "" && !greetings[w] && !vocatives[w] {
			return false
		}
	}
	return true
}

func firstWord(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
	if end < 0 {
		return s
	}
	return s[:end]
}

func hasLower(s string) bool {
	return strings.IndexFunc(s, unicode.IsLower) >= 0
}

func letters(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			n++
		}
	}
	return n
}

// titleCase capitalizes words typed in one case ("siti AMINAH" → "Siti
// Aminah") and leaves mixed-case words as the reporter wrote them.
func titleCase(words []string) string {
	out := make([]string, len(words))
	for i, w := range words {
		lw := strings.ToLower(w)
		switch {
		case i > 0 && nameParticles[lw]:
			out[i] = lw
		case w == lw || w == strings.ToUpper(w):
			out[i] = capitalize(lw)
		default:
			out[i] = w
		}
	}
	name := strings.Join(out, " ")
	// Keep the dot of a final initial ("Budi S."), drop other trailing punctuation.
	if n := len(out); n > 0 && !(len(out[n-1]) == 2 && strings.HasSuffix(out[n-1], ".")) {
		name = strings.TrimRight(name, ".-'’")
	}
	return name
}

// capitalize upper-cases the first letter of w and of each hyphenated part.
func capitalize(w string) string {
	b := []rune(w)
	up := true
	for i, r := range b {
		if up && unicode.IsLetter(r) {
			b[i] = unicode.ToUpper(r)
		}
		up = r == '-'
	}
	return string(b)
}

// raw is the group as a phone parser wants it.
func (g numGroup) raw() string {
	if g.plus {
		return "+" + g.digits
	}
	return g.digits
}

// findGroups joins digit runs separated by one space, dot, dash or a
// parenthesis into numbers. A phone-like number (leading 0 or +) stops
// before it would exceed a phone's length; any other stops at 16 digits or
// more, so "1971015708900003 081234567890" stays two numbers.
func findGroups(s string) []numGroup {
	runs := digitRuns(s)
	var groups []numGroup
	for k := 0; k < len(runs); {
		r := runs[k]
		g := numGroup{start: r.start, end: r.end, digits: s[r.start:r.end]}
		if r.start > 0 && (s[r.start-1] == '+' || s[r.start-1] == '(') {
			g.start--
			g.plus = s[r.start-1] == '+'
		}
		maxLen := 0 // no limit; stop at 16
		switch {
		case g.plus:
			maxLen = 14 // 62 + up to 12 digits
		case g.digits[0] == '0':
			maxLen = 13
		}
		for k++; k < len(runs) && joinable(s[g.end:runs[k].start]); k++ {
			next := s[runs[k].start:runs[k].end]
			total := len(g.digits)
			if maxLen > 0 && total+len(next) > maxLen || maxLen == 0 && total >= 16 {
				break
			}
			// A long run is a number of its own unless only a prefix came before.
			if len(next) >= 10 && total > 4 {
				break
			}
			// "anak 2 0812..." : a small count then a phone number.
			if total <= 3 && next[0] == '0' && len(next) >= 4 && strings.TrimSpace(s[g.end:runs[k].start]) == "" {
				break
			}
			g.digits += next
			g.end = runs[k].end
		}
		groups = append(groups, g)
	}
	return groups
}

// digitRun is the byte span of consecutive ASCII digits.
type digitRun struct{ start, end int }

func digitRuns(s string) []digitRun {
	var runs []digitRun
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		runs = append(runs, digitRun{i, j})
		i = j
	}
	return runs
}

// joinable: the gap between two digit runs of one number.
func joinable(gap string) bool {
	if len(gap) == 0 || len(gap) > 3 {
		return false
	}
	for i := 0; i < len(gap); i++ {
		if strings.IndexByte(" .-()", gap[i]) < 0 {
			return false
		}
	}
	return strings.Count(gap, ".") <= 1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
