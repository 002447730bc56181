package webhook

// The typed decoder replaced a hand-written parser (webhook/internal/oldparse).
// These tests show the two agree on every fixture, the fuzz corpus, the
// fuzz seeds and generated mutants of the fixtures, before the old one is
// deleted:
//
//	go test ./webhook -run 'DecodersAgree' -v
//	WEBHOOK_AGREE_MUTANTS=1000000 go test ./webhook -run DecodersAgreeOnMutants -v
//	go test ./webhook -run '^$' -fuzz FuzzDecodersAgree -fuzztime 60s

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/pageinbox/pageinbox/webhook/internal/oldparse"
)

// decodersDisagree is "" when Decode and the old parser give the same
// payload (events, unknown names, problems) or the same error for body,
// else what differs.
func decodersDisagree(body []byte) string {
	np, nerr := Decode(body)
	op, oerr := oldparse.Decode(body)
	if (nerr == nil) != (oerr == nil) || nerr != nil && !sameError(nerr, oerr) {
		return fmt.Sprintf("error: new %v, old %v", nerr, oerr)
	}
	switch {
	case np.Object != op.Object:
		return fmt.Sprintf("object: new %q, old %q", np.Object, op.Object)
	case !reflect.DeepEqual(np.Unknown, op.Unknown):
		return fmt.Sprintf("unknown: new %q, old %q", np.Unknown, op.Unknown)
	case !reflect.DeepEqual(errorTexts(np.Problems), errorTexts(op.Problems)):
		return fmt.Sprintf("problems: new %q, old %q", errorTexts(np.Problems), errorTexts(op.Problems))
	case len(np.Events) != len(op.Events):
		return fmt.Sprintf("%d events, old %d", len(np.Events), len(op.Events))
	}
	for i := range np.Events {
		if !reflect.DeepEqual(np.Events[i], op.Events[i]) {
			return fmt.Sprintf("event %d:\n new %s\n old %s", i, showEvent(np.Events[i]), showEvent(op.Events[i]))
		}
	}
	return ""
}

// sameError: the errors for a body of the wrong shape are worded alike;
// those for a body that is not JSON are worded by each JSON library.
func sameError(nerr, oerr error) bool {
	shape := func(err error) bool {
		for _, s := range []string{"body is not a JSON object", "object is not a string", "entry is not an array"} {
			if strings.HasSuffix(err.Error(), ": "+s) {
				return true
			}
		}
		return false
	}
	if shape(nerr) || shape(oerr) {
		return nerr.Error() == oerr.Error()
	}
	return true
}

func errorTexts(errs []error) []string {
	var s []string
	for _, err := range errs {
		s = append(s, err.Error())
	}
	return s
}

func TestDecodersAgree(t *testing.T) {
	names, bodies := decodeInputs(t)
	for i, body := range bodies {
		if d := decodersDisagree(body); d != "" {
			t.Errorf("%s: %s", names[i], d)
		}
	}
	t.Logf("compared %d inputs", len(bodies))
}

// TestDecodersAgreeOnMutants compares the decoders on mutants of the
// fixtures: keys in other cases (and Unicode folds, and escapes), given
// twice, dropped or moved; values nulled, retyped, swapped for others or
// wrapped; bytes flipped. The mutants are the same every run.
func TestDecodersAgreeOnMutants(t *testing.T) {
	n := 20000
	if s := os.Getenv("WEBHOOK_AGREE_MUTANTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	_, bodies := decodeInputs(t)
	var trees []*jnode
	for _, b := range bodies {
		if json.Valid(b) {
			trees = append(trees, parseJNode(t, b))
		}
	}
	rng := rand.New(rand.NewPCG(11, 4))
	valid, failures := 0, 0
	for i := range n {
		tree := trees[rng.IntN(len(trees))].clone()
		for range 1 + rng.IntN(4) {
			mutate(rng, tree, trees)
		}
		var body []byte
		body = tree.appendTo(body, rng.IntN(8) == 0)
		if rng.IntN(20) == 0 && len(body) > 0 { // a damaged body
			body[rng.IntN(len(body))] = "{}[],:\"\\0 x\xff"[rng.IntN(12)]
		}
		if json.Valid(body) {
			valid++
		}
		if d := decodersDisagree(body); d != "" {
			if failures++; failures <= 10 {
				t.Errorf("mutant %d: %s\nbody: %s", i, d, body)
			}
		}
	}
	t.Logf("compared %d mutants (%d valid JSON), %d disagreements", n, valid, failures)
}

// FuzzDecodersAgree: the decoders agree on every input.
func FuzzDecodersAgree(f *testing.F) {
	_, bodies := decodeInputs(f)
	for _, b := range bodies {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if d := decodersDisagree(body); d != "" {
			t.Fatalf("%s\nbody: %q", d, body)
		}
	})
}

// jnode is a JSON value kept with its members in order and its keys and
// scalars as written, for mutating.
type jnode struct {
	kind    byte // '{', '[', or 0 for a scalar
	members []jmember
	items   []*jnode
	lit     string // a scalar, as written
}

type jmember struct {
	key string // quoted, as written
	val *jnode
}

func parseJNode(t testing.TB, b []byte) *jnode {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readJNode(dec)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func readJNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		n := &jnode{kind: byte(tok)}
		for dec.More() {
			if n.kind == '{' {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := json.Marshal(k)
				v, err := readJNode(dec)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, jmember{string(key), v})
				continue
			}
			v, err := readJNode(dec)
			if err != nil {
				return nil, err
			}
			n.items = append(n.items, v)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	default:
		lit, _ := json.Marshal(tok)
		return &jnode{lit: string(lit)}, nil
	}
}

func (n *jnode) clone() *jnode {
	c := &jnode{kind: n.kind, lit: n.lit}
	for _, m := range n.members {
		c.members = append(c.members, jmember{m.key, m.val.clone()})
	}
	for _, it := range n.items {
		c.items = append(c.items, it.clone())
	}
	return c
}

func (n *jnode) appendTo(b []byte, spaced bool) []byte {
	sep := func(c byte) {
		b = append(b, c)
		if spaced {
			b = append(b, " \n"[len(b)%2])
		}
	}
	switch n.kind {
	case '{':
		sep('{')
		for i, m := range n.members {
			if i > 0 {
				sep(',')
			}
			b = append(b, m.key...)
			sep(':')
			b = m.val.appendTo(b, spaced)
		}
		return append(b, '}')
	case '[':
		sep('[')
		for i, it := range n.items {
			if i > 0 {
				sep(',')
			}
			b = it.appendTo(b, spaced)
		}
		return append(b, ']')
	}
	return append(b, n.lit...)
}

// all lists n and every value under it.
func (n *jnode) all(out []*jnode) []*jnode {
	out = append(out, n)
	for _, m := range n.members {
		out = m.val.all(out)
	}
	for _, it := range n.items {
		out = it.all(out)
	}
	return out
}

// mutantScalars are the values mutate puts in place of others.
var mutantScalars = []string{
	`null`, `0`, `-1`, `1`, `1700000000000`, `"1700000000"`, `1527459824.5`, `1e3`, `-0`,
	`12345678901234567890`, `9007199254740993`, `""`, `"x"`, `"true"`, `true`, `false`,
	`"react"`, `"unreact"`, `"image"`, `"sticker"`, `"m_mid"`, `"\u00e9\ud83d\ude00"`, `"a\"b"`,
	`"\ud800"`, "\"\xff\xfe\"", `{}`, `[]`, `[null]`, `[{}]`, `{"id":"7"}`, `{"user_ref":"u"}`,
}

// mutateKey rewrites a quoted key so that encoding/json may still match
// it to a field (case, Unicode folds, escapes) or not.
func mutateKey(rng *rand.Rand, key string) string {
	s, err := strconv.Unquote(key)
	if err != nil || s == "" {
		return `"x"`
	}
	switch rng.IntN(9) {
	case 0:
		return strconv.Quote(strings.ToUpper(s[:1]) + s[1:])
	case 1:
		return strconv.Quote(strings.ToUpper(s))
	case 2:
		return strconv.Quote(strings.Replace(strings.Replace(s, "s", "ſ", 1), "k", "\u212a", 1))
	case 3: // the first character escaped
		return fmt.Sprintf(`"\u%04x%s`, s[0], key[2:])
	case 4:
		return strconv.Quote(s + "x")
	case 5:
		return `""`
	case 6:
		keys := []string{"message", "message_edit", "reaction", "postback", "delivery", "read",
			"referral", "optin", "sender", "recipient", "timestamp", "id", "time", "messaging",
			"standby", "changes", "value", "object", "entry", "attachments", "payload", "mids"}
		return strconv.Quote(keys[rng.IntN(len(keys))])
	case 7:
		return "\"" + s + "\xff\""
	}
	return key
}

// mutate changes tree once, somewhere.
func mutate(rng *rand.Rand, tree *jnode, donors []*jnode) {
	nodes := tree.all(nil)
	n := nodes[rng.IntN(len(nodes))]
	replacement := func() *jnode {
		if rng.IntN(3) == 0 {
			d := donors[rng.IntN(len(donors))].all(nil)
			return d[rng.IntN(len(d))].clone()
		}
		return &jnode{lit: mutantScalars[rng.IntN(len(mutantScalars))]}
	}
	switch {
	case n.kind == '{' && len(n.members) > 0:
		i := rng.IntN(len(n.members))
		m := &n.members[i]
		switch rng.IntN(6) {
		case 0:
			m.key = mutateKey(rng, m.key)
		case 1: // given twice, maybe with another value
			dup := jmember{m.key, m.val.clone()}
			if rng.IntN(2) == 0 {
				dup.val = replacement()
			}
			n.members = append(n.members[:i+1], append([]jmember{dup}, n.members[i+1:]...)...)
		case 2:
			n.members = append(n.members[:i], n.members[i+1:]...)
		case 3:
			j := rng.IntN(len(n.members))
			n.members[i], n.members[j] = n.members[j], n.members[i]
		case 4: // wrapped
			m.val = &jnode{kind: '[', items: []*jnode{m.val}}
		default:
			m.val = replacement()
		}
	case n.kind == '[' && len(n.items) > 0:
		i := rng.IntN(len(n.items))
		switch rng.IntN(3) {
		case 0:
			n.items = append(n.items[:i], n.items[i+1:]...)
		case 1:
			n.items = append(n.items, n.items[i].clone())
		default:
			n.items[i] = replacement()
		}
	default:
		*n = *replacement()
	}
}

// BenchmarkParseOld is BenchmarkParse on the old parser, to run side by
// side with it: go test ./webhook -run '^$' -bench 'Parse' -benchmem
func BenchmarkParseOld(b *testing.B) {
	for _, bc := range []struct {
		name string
		body []byte
	}{
		{"1event", benchParseText(1)},
		{"10events", benchParseText(10)},
		{"mixed", benchParseMixed},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := oldparse.Parse(bc.body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
