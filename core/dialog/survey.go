package dialog

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The satisfaction survey: after a complaint is resolved the reporter is
// asked once (core/complaint sends SurveyQuestion and sets
// Conversation.Survey) for a score 1–4, the scale of the national
// public-service satisfaction survey (SKM), and an optional comment. The
// next message is read as the answer if it is one; small talk and thanks
// ("makasih pak", "makasih, udah cair") keep the question open; anything else lets it lapse and is
// handled as any message, so a new complaint is never swallowed.

// SatisfactionAnswered: the reporter answered the satisfaction question on
// Ticket; the caller stores the answer.
type SatisfactionAnswered struct {
	Ticket  string
	Score   int // 1–4
	Comment string
}

func (SatisfactionAnswered) isAction() {}

// MaxSurveyComment bounds the comment kept with a score, in characters.
const MaxSurveyComment = 1000

// SurveyQuestion is the satisfaction question on ticket (survey.tmpl), ""
// when the office switched it off. A nil t uses the embedded templates.
func (t *Templates) SurveyQuestion(ticket string) (string, error) {
	if t == nil {
		t = mustEmbedded()
	}
	return t.render(tplSurvey, View{Ticket: ticket})
}

// answerSurvey handles a message while the satisfaction question awaits an
// answer. It reports false when the message is not handled here; the
// question has then lapsed.
func (s *step) answerSurvey() (bool, error) {
	ticket := s.conv.Survey
	msg := s.in.Msg
	if len(msg.Attachments) > 0 {
		s.conv.Survey = ""
		return false, nil
	}
	if _, _, cmd := parseCommand(msg); cmd {
		s.conv.Survey = ""
		return false, nil
	}
	v := s.view()
	v.Ticket = ticket
	score, comment := readScore(msg.Text)
	if score < 1 {
		if score != offScale && !courtesy(msg.Text) && !s.intent.thanks {
			s.conv.Survey = ""
			return false, nil
		}
		// "makasih pak", "makasih, udah cair", or a score off the scale
		// ("nilai 5"): ask again, briefly.
		v.Again = true
		return true, s.say(tplSurvey, v)
	}
	s.conv.Survey = ""
	s.actions = append(s.actions, SatisfactionAnswered{Ticket: ticket, Score: score, Comment: comment})
	v.Score, v.Comment = score, comment
	return true, s.say(tplSurveyThanks, v)
}

// scoreWords are answers in words, each phrase's words space-separated.
// Longer phrases are tried first, so "tidak puas" is never read as "puas".
var scoreWords = map[string]int{
	"sangat puas": 4, "puas sekali": 4, "puas banget": 4, "puas bgt": 4, "sangat memuaskan": 4,
	"memuaskan sekali": 4, "sangat baik": 4, "baik sekali": 4, "sangat bagus": 4, "bagus sekali": 4,
	"bagus banget": 4, "mantap": 4, "mantab": 4, "mantul": 4, "mantap sekali": 4, "luar biasa": 4, "sempurna": 4,

	"puas": 3, "cukup puas": 3, "lumayan puas": 3, "memuaskan": 3, "cukup memuaskan": 3, "bagus": 3,
	"cukup bagus": 3, "cukup baik": 3, "lumayan": 3, "lumayan baik": 3, "lumayan bagus": 3,

	"kurang puas": 2, "kurang memuaskan": 2, "kurang baik": 2, "kurang bagus": 2, "biasa saja": 2,
	"biasa aja": 2, "agak kecewa": 2, "sedikit kecewa": 2,

	"tidak puas": 1, "tdk puas": 1, "tak puas": 1, "gak puas": 1, "ga puas": 1, "gk puas": 1, "nggak puas": 1,
	"ngga puas": 1, "enggak puas": 1, "sangat tidak puas": 1, "tidak memuaskan": 1, "tdk memuaskan": 1,
	"tidak baik": 1, "tidak bagus": 1, "gak bagus": 1, "buruk": 1, "sangat buruk": 1, "jelek": 1, "kecewa": 1,
	"sangat kecewa": 1, "mengecewakan": 1, "sangat mengecewakan": 1, "parah": 1,
}

// numberWords are scores written as numbers.
var numberWords = map[string]int{"1": 1, "2": 2, "3": 3, "4": 4, "satu": 1, "dua": 2, "tiga": 3, "empat": 4}

// leadWords may come before the score: "nilai saya 4", "pak, 3", "oke 4".
var leadWords = wordSet(`nilai nilainya skor score angka pilih jawab jawaban saya sy aku kami kasih kasi beri memberi
	kuberi pak bu bapak ibu bang kak kakak min admin mas mbak dek ya iya ok oke baik siap terima terimakasih makasih
	makasi trims alhamdulillah sudah udah dah`)

// unitWords after a number make it a quantity, not a score: "4 bulan tidak cair".
var unitWords = wordSet(`bulan bln hari hr minggu mgg tahun thn jam menit kali x orang org anak jiwa kk rumah rt rw
	rb ribu juta jt kg lembar lagi tahap persen`)

// word is a run of letters or digits in a message, lower-cased, with where it ends.
type word struct {
	w        string
	from, to int
}

func wordsOf(text string) []word {
	var out []word
	start := -1
	for i, r := range text {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, word{strings.ToLower(text[start:i]), start, i})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{strings.ToLower(text[start:]), start, len(text)})
	}
	return out
}

// phraseAt reads a score in words at ws[0:]: the score and how many words it took.
func phraseAt(ws []word) (score, n int) {
	for n := min(3, len(ws)); n > 0; n-- {
		parts := make([]string, n)
		for i := range n {
			parts[i] = ws[i].w
		}
		if s, ok := scoreWords[strings.Join(parts, " ")]; ok {
			return s, n
		}
	}
	return 0, 0
}

// offScale is readScore's answer to a number where the score goes that is
// not on the scale ("5", "nilai 10").
const offScale = -1

// readScore reads an answer to the satisfaction question: a score first
// (after words such as "nilai" or "pak"), in digits ("4", "nilai 3 dari 4"),
// words ("sangat puas", "kurang baik") or stars ("⭐⭐⭐⭐"), then an
// optional comment ("3 lumayan, tapi lama"). score is 0 for anything else,
// so a new complaint ("4 bulan bantuan tidak cair", "pak bantuan saya belum
// cair") is never taken for an answer; offScale for a lone number off the scale.
func readScore(text string) (score int, comment string) {
	if n := stars(text); n >= 1 && n <= 4 {
		return n, ""
	}
	ws := wordsOf(text)
	for i := 0; i < len(ws); i++ {
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1].w
		}
		if s, n := numberWords[ws[i].w], 1; s > 0 {
			if unitWords[next] {
				return 0, ""
			}
			if next == "dari" && i+2 < len(ws) && ws[i+2].w == "4" { // "3 dari 4"
				n = 3
			} else if next == "4" && strings.TrimSpace(text[ws[i].to:ws[i+1].from]) == "/" {
				n = 2 // "3/4"
			}
			if _, label := phraseAt(ws[i+n:]); label > 0 { // "4 (sangat puas)"
				n += label
			}
			return s, surveyComment(text[ws[i+n-1].to:])
		}
		if s, n := phraseAt(ws[i:]); s > 0 {
			return s, surveyComment(text[ws[i+n-1].to:])
		}
		if _, err := strconv.Atoi(ws[i].w); err == nil && len(ws[i].w) <= 3 && courtesy(text[ws[i].to:]) {
			return offScale, ""
		}
		if !leadWords[ws[i].w] {
			return 0, ""
		}
	}
	return 0, ""
}

// stars counts a message of nothing but stars (⭐, ★), 0 otherwise.
func stars(text string) int {
	n := 0
	for _, r := range text {
		switch {
		case r == '⭐' || r == '★':
			n++
		case unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) || unicode.IsMark(r):
		default:
			return 0
		}
	}
	return n
}

// openerWords open a comment without being part of it: "puas pak, cepat",
// "kurang puas lah, lame".
var openerWords = wordSet(`pak bu bapak ibu bang kak kakak min admin mas mbak dek lah deh sih dong ya yah nih`)

// surveyComment is what follows the score, unless it is only courtesy
// ("terima kasih pak"), clipped to MaxSurveyComment.
func surveyComment(rest string) string {
	for {
		rest = strings.TrimSpace(strings.TrimLeftFunc(rest, func(r rune) bool {
			return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
		}))
		ws := wordsOf(rest)
		if len(ws) == 0 || ws[0].from != 0 || !openerWords[ws[0].w] {
			break
		}
		rest = rest[ws[0].to:]
	}
	if courtesy(rest) {
		return ""
	}
	if utf8.RuneCountInString(rest) > MaxSurveyComment {
		rest = string([]rune(rest)[:MaxSurveyComment])
	}
	return rest
}

// courtesy: nothing but greetings, thanks and symbols ("makasih pak 🙏").
func courtesy(text string) bool {
	return onlySmallTalk(strings.Map(func(r rune) rune {
		if unicode.IsSymbol(r) || unicode.Is(unicode.Cf, r) || unicode.IsMark(r) {
			return -1
		}
		return r
	}, text))
}
