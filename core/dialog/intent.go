package dialog

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/aduan-gateway/aduan/core/identity"
)

// intent is what a message asks of the bot besides giving data: a status
// request, a cancel request, questions, talk about the bot. The clauses
// that carry them leave the text before identity and complaint are read,
// so they never become complaint text.
type intent struct {
	status   bool
	ticket   *ticketRef // a ticket named in the message, if any
	cancel   bool
	faq      []FAQEntry
	botTalk  bool
	greeting bool   // nothing but greetings, thanks or punctuation
	thanks   bool   // thanks, and nothing said to be wrong ("makasih pak, udah cair")
	urgent   bool   // words of danger or urgency
	rest     string // the text without the clauses above
}

// ticketRef is a ticket as citizens write it: "ADU-2026-000007", "adu-2026-7", "adu 2026 7".
type ticketRef struct {
	prefix string
	year   int
	seq    int
}

func (r ticketRef) String() string { return fmt.Sprintf("%s-%d-%06d", r.prefix, r.year, r.seq) }

var reTicket = regexp.MustCompile(`(?i)\b([a-z]{2,5})[\s-]*(20\d\d)[\s-]*(\d{1,6})\b`)

// parseTicket finds a ticket reference in s.
func parseTicket(s string) (ticketRef, bool) {
	m := reTicket.FindStringSubmatch(s)
	if m == nil {
		return ticketRef{}, false
	}
	year, _ := strconv.Atoi(m[2])
	seq, _ := strconv.Atoi(m[3])
	if seq == 0 {
		return ticketRef{}, false
	}
	return ticketRef{prefix: strings.ToUpper(m[1]), year: year, seq: seq}, true
}

// Patterns on a clause in lower case with runs of blanks as one space.
var (
	reStatus  = regexp.MustCompile(`\b(?:(?:cek|check|lihat|liat|info|tau|tahu|gimana|gmn|gmna|bagaimana|bgmn|bgm|apa)\s+(?:status|perkembangan|progres|progress|kabar)(?:nya)?|(?:status|perkembangan|progres|progress|kabar)(?:nya)?\s+(?:laporan|aduan|pengaduan|tiket)|(?:sudah|sdh|udah|udh|dah)\s+(?:sampai|sampe|smp|nyampe)\s+(?:mana|mn|dimana|mane|dimane)|perkembangan(?:nya)?\s+(?:laporan|aduan|pengaduan)|^status(?:nya)?$)\b`)
	reCancel  = regexp.MustCompile(`\b(?:batal(?:kan|in)?\s+(?:aja|saja|ja|laporan|aduan|pengaduan|lapor)|(?:mau|ingin|pengen|pgn|tolong|mohon|minta)\s+(?:di)?(?:batal(?:kan|in)?|membatalkan|dicabut\s+laporan)|(?:gak|ga|gk|nggak|ngga|enggak|engga|tidak|tdk|tak)\s+jadi\s+(?:lapor|melapor|ngadu|mengadu|ngelapor)|(?:cabut|tarik)\s+(?:laporan|aduan|pengaduan)|laporan\w*\s+(?:saya|sy|aku)?\s*(?:di)?batal(?:kan|in)?\s+(?:aja|saja))\b`)
	reBotTalk = regexp.MustCompile(`\b(?:(?:kan|kn|kmrn|tadi)\s+(?:udh|udah|sudah|sdh|dah|uda)\s+(?:(?:sy|saya|aku|gw|gue)\s+)?(?:tulis|kirim|kasih|bilang|jawab|isi|sebut)|(?:udh|udah|sudah|sdh)\s+(?:sy|saya|aku)\s+(?:tulis|kirim|kasih|isi|jawab)|(?:nanya|tanya|minta|ditanya)\s+(?:terus|lagi|mulu|melulu|trs)|(?:gak|ga|tidak|tdk|nggak)\s+(?:ngerti|paham|nyambung)|\bbot\b|\brobot\b|(?:dari|dr)\s+tadi)`)
	reUrgent  = regexp.MustCompile(`\b(?:darurat|meninggal|meninggal\s+dunia|wafat|kekerasan|dipukul|dipukuli|dianiaya|penganiayaan|bunuh\s+diri|ancaman|diancam|mengancam|terancam|pelecehan|dilecehkan|diperkosa|pemerkosaan|sekarat|kritis|kelaparan|tidak\s+makan\s+berhari)\b`)
	reBlanks  = regexp.MustCompile(`\s+`)
)

func normalizeClause(c string) string {
	c = strings.ToLower(c)
	c = strings.Map(func(r rune) rune {
		if r == ',' || r == ';' || r == '!' || r == '?' || r == '.' || r == ':' || r == '"' || r == '(' || r == ')' {
			return ' '
		}
		return r
	}, c)
	return strings.TrimSpace(reBlanks.ReplaceAllString(c, " "))
}

// readIntent classifies the clauses of a message.
// A ticket reference counts only with one of prefixes ("tahun 2026 3" is no ticket).
func (d *Dialog) readIntent(text string, prefixes []string) intent {
	var in intent
	var rest []string
	low := normalizeClause(text)
	in.urgent = reUrgent.MatchString(low)
	if t, ok := parseTicket(text); ok && slices.Contains(prefixes, t.prefix) {
		in.ticket = &t
		in.status = true
	}
	question := strings.Contains(text, "?")
	for _, c := range identity.Clauses(text) {
		n := normalizeClause(c)
		switch {
		case n == "":
			rest = append(rest, c)
		case reCancel.MatchString(n):
			in.cancel = true
		case reStatus.MatchString(n) || in.ticket != nil && reTicket.MatchString(c):
			in.status = true
		case reBotTalk.MatchString(n):
			in.botTalk = true
		default:
			if e := d.tpl.faq.match(n, question || strings.Contains(c, "?")); len(e) > 0 {
				for _, x := range e {
					if !containsEntry(in.faq, x) {
						in.faq = append(in.faq, x)
					}
				}
				// "sy disuruh bayar 50rb sama pendamping?" is answered, and
				// is a complaint too: only a bare question leaves the text.
				if !saysMore(n, e) {
					continue
				}
			}
			rest = append(rest, c)
		}
	}
	in.rest = strings.TrimSpace(strings.Join(rest, ""))
	in.greeting = !in.status && !in.cancel && len(in.faq) == 0 && !in.botTalk && onlySmallTalk(in.rest)
	in.thanks = !in.status && !in.cancel && thanksOnly(in.rest)
	return in
}

func containsEntry(es []FAQEntry, e FAQEntry) bool {
	for _, x := range es {
		if x.Topic == e.Topic {
			return true
		}
	}
	return false
}

// thanksList are the words that thank on their own ("terima kasih" is two).
const thanksList = `terimakasih trimakasih makasih makasi makaseh mksh mks trims tks thx thanks thank tengkyu alhamdulillah`

// smallWords are what a greeting-only message is made of; thanksWords the thanking ones.
var (
	smallWords = wordSet(`halo hallo haloo hai hay hi helo hello hei hey p ping tes test selamat slmt met pagi siang sore malam
	assalamualaikum assalamu alaikum asalamualaikum salam wr wb warahmatullahi wabarakatuh permisi punten maaf
	min admin mimin kak ka pak bu bpk mas mbak mba bang gan om sis dinsos bapak ibu
	terima trima kasih you banyak ok oke okey okay okee baik siap sip ya iya yah yaa nih dong sih deh kok lah loh ` + thanksList)
	thanksWords = wordSet(thanksList)
)

// saysSomething: the text has a word of letters that is not small talk.
func saysSomething(text string) bool {
	return slices.ContainsFunc(wordsOf(text), func(w word) bool {
		return !smallWords[w.w] && strings.IndexFunc(w.w, unicode.IsLetter) >= 0
	})
}

// troubleWords say that something is still wrong or wanted: a message
// with one is no mere thanks ("makasih pak, tapi bantuan blm masuk").
var troubleWords = wordSet(`belum blm lum lom dak ndak gak ga gk nggak ngga enggak engga tidak tdk tak bukan
	kenapa knp ngapa ngape tolong mohon minta masalah salah kurang potong dipotong pungli bayar
	tapi tp tetapi namun masih msh lagi lg`)

// thanksOnly: the text thanks and says nothing is wrong ("makasih pak",
// "trima kasih bu, bantuannya udah masuk").
func thanksOnly(text string) bool {
	thanks := false
	ws := wordsOf(text)
	for i, w := range ws {
		if troubleWords[w.w] {
			return false
		}
		if thanksWords[w.w] || w.w == "kasih" && i > 0 && (ws[i-1].w == "terima" || ws[i-1].w == "trima") {
			thanks = true
		}
	}
	return thanks
}

// onlySmallTalk: nothing but greetings, thanks and punctuation ("halo",
// "p", "??", "selamat siang pak", "oke makasih min").
func onlySmallTalk(s string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r > 127)
	}) {
		if !smallWords[w] {
			return false
		}
	}
	return true
}

// ticketPrefixes are the prefixes a ticket reference may have: those of the
// reporter's own tickets, and ADU.
func (s *step) ticketPrefixes() []string {
	out := []string{"ADU"}
	for _, t := range s.in.OwnTickets {
		if r, ok := parseTicket(t.Ticket); ok {
			out = append(out, r.prefix)
		}
	}
	return out
}

// statusIntent answers a status request written in words.
func (s *step) statusIntent() error {
	if s.intent.ticket != nil {
		return s.status(s.intent.ticket.String())
	}
	return s.status("")
}

// cancelRequest answers "batal aja pak" and the like: after the ticket the
// officer is told; while collecting, the reporter confirms with YA first.
func (s *step) cancelRequest() error {
	if s.conv.Status == StatusSubmitted {
		return s.cancel()
	}
	if s.conv.Status == StatusCollecting && strings.TrimSpace(s.conv.Complaint) == "" && s.conv.Identity == (identity.Identity{Phone: s.conv.Identity.Phone}) {
		return s.cancel() // nothing to lose
	}
	s.conv.CancelAsked = true
	return s.say(tplCancelConfirm, s.view())
}

// answerCancel handles YA or TIDAK to "Apakah Anda ingin membatalkan …?".
func (s *step) answerCancel() (bool, error) {
	s.conv.CancelAsked = false
	yes, no := yesNo(s.in.Msg.Text)
	switch {
	case len(s.in.Msg.Attachments) > 0 || !yes && !no:
		return false, nil
	case yes:
		return true, s.cancel()
	}
	return true, s.say(tplCancelKept, s.view())
}

// questionFiller are the words of a bare question besides its keywords.
var questionFiller = wordSet(`ngurus urus mengurus pengaduan aduan laporan lapor melapor ini itu kantor dinsos dinas sosial
	mau tanya nanya bertanya yg yang apa aja saja di ke untuk utk kalau kalo klo kah ya sy saya aku kami kita
	benar bener betul nomor no wa akun buka tutup jam hari prosesnya proses lama berapa brp`)

// saysMore reports whether a clause that asks a FAQ question holds two or
// more words beyond the question: then it is part of the complaint too.
func saysMore(n string, entries []FAQEntry) bool {
	keywords := map[string]bool{}
	for _, e := range entries {
		for _, kw := range e.Keywords {
			for _, w := range strings.Fields(kw) {
				keywords[w] = true
			}
		}
	}
	more := 0
	for _, w := range strings.Fields(n) {
		if !keywords[w] && !questionWords[w] && !questionFiller[w] && !smallWords[w] {
			more++
		}
	}
	return more >= 2
}
