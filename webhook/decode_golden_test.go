package webhook

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/pageinbox/pageinbox/store"
)

var updateGolden = flag.Bool("update", false, "rewrite testdata/decoded.golden from what Decode gives")

// goldenFile holds what Decode gives for each of decodeInputs, one JSON
// line each. It was written when the hand-written parser Decode replaced
// was shown to give the same for every one of them (webhook/agree_test.go
// in commit c1d929d), and pins that behaviour since. After a deliberate
// change, rewrite it with go test ./webhook -run TestDecodeGolden -update
// and review the diff.
var goldenFile = filepath.Join("testdata", "decoded.golden")

// decoded is what Decode gives for one input, as a golden line.
type decoded struct {
	Input string `json:"input"`
	// Error is the error, or "not JSON" for one worded by the JSON
	// library.
	Error    string        `json:"error,omitempty"`
	Object   string        `json:"object,omitempty"`
	Events   []store.Event `json:"events,omitempty"`
	Unknown  []string      `json:"unknown,omitempty"`
	Problems []string      `json:"problems,omitempty"`
}

func decodeForGolden(name string, body []byte) decoded {
	p, err := Decode(body)
	d := decoded{Input: name, Object: p.Object, Events: p.Events, Unknown: p.Unknown}
	if _, syntax := errors.AsType[*jsontext.SyntacticError](err); syntax {
		d.Error = "not JSON"
	} else if err != nil {
		d.Error = err.Error()
	}
	for _, pr := range p.Problems {
		d.Problems = append(d.Problems, pr.Error())
	}
	return d
}

// TestDecodeGolden: Decode gives for every fixture, malformed fixture,
// fuzz corpus file and fuzz seed what it gave when it was shown to agree
// with the parser it replaced.
func TestDecodeGolden(t *testing.T) {
	names, bodies := decodeInputs(t)
	var got bytes.Buffer
	for i, body := range bodies {
		line, err := json.Marshal(decodeForGolden(names[i], body))
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		got.Write(line)
		got.WriteByte('\n')
	}
	if *updateGolden {
		if err := os.WriteFile(goldenFile, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	gotLines, wantLines := strings.Split(got.String(), "\n"), strings.Split(string(want), "\n")
	if len(gotLines) != len(wantLines) {
		t.Errorf("%d inputs, %s has %d", len(gotLines)-1, goldenFile, len(wantLines)-1)
	}
	for i := range min(len(gotLines), len(wantLines)) {
		if gotLines[i] != wantLines[i] {
			t.Errorf("input %d (%s):\n got  %s\n want %s", i, names[i], gotLines[i], wantLines[i])
		}
	}
}

// decodeInputs are the bodies of the golden test: the fixtures, the
// malformed fixtures, FuzzParse's committed corpus and its seeds.
func decodeInputs(t testing.TB) (names []string, bodies [][]byte) {
	add := func(name string, b []byte) {
		names = append(names, name)
		bodies = append(bodies, b)
	}
	for _, pattern := range []string{"*.json", filepath.Join("malformed", "*")} {
		files, err := filepath.Glob(filepath.Join("testdata", pattern))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			add(filepath.ToSlash(name), b)
		}
	}
	corpus, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range corpus {
		add(filepath.ToSlash(name), readCorpusFile(t, name))
	}
	for i, s := range fuzzSeeds {
		add(fmt.Sprintf("FuzzParse seed %d", i), []byte(s))
	}
	add("nil body", nil)
	return names, bodies
}

// readCorpusFile reads a one-[]byte file of Go's fuzzing corpus.
func readCorpusFile(t testing.TB, name string) []byte {
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		t.Fatalf("%s: not a one-value corpus file", name)
	}
	lit, ok := strings.CutPrefix(lines[1], "[]byte(")
	lit, ok2 := strings.CutSuffix(lit, ")")
	s, err := strconv.Unquote(lit)
	if !ok || !ok2 || err != nil {
		t.Fatalf("%s: not a []byte value: %v", name, err)
	}
	return []byte(s)
}
