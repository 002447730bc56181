package fbtest

import (
	"fmt"
	"strconv"
	"strings"
)

// field is one item of a fields parameter: fields=a,b{c,d},e.limit(5){f}.
type field struct {
	name  string
	limit int // .limit(n), 0 if none
	sub   []field
}

func parseFields(s string) ([]field, error) {
	p := &fieldParser{s: strings.ReplaceAll(s, " ", "")}
	fs, err := p.list()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.s) {
		return nil, fmt.Errorf("unexpected %q at %d", p.s[p.i], p.i)
	}
	return fs, nil
}

type fieldParser struct {
	s string
	i int
}

func (p *fieldParser) list() ([]field, error) {
	var out []field
	for {
		f, err := p.item()
		if err != nil {
			return nil, err
		}
		if f.name != "" {
			out = append(out, f)
		}
		if p.i < len(p.s) && p.s[p.i] == ',' {
			p.i++
			continue
		}
		return out, nil
	}
}

func (p *fieldParser) item() (field, error) {
	start := p.i
	for p.i < len(p.s) && strings.IndexByte(",{}.()", p.s[p.i]) < 0 {
		p.i++
	}
	f := field{name: p.s[start:p.i]}
	for p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		open := strings.IndexByte(p.s[p.i:], '(')
		end := strings.IndexByte(p.s[p.i:], ')')
		if open < 0 || end < open {
			return f, fmt.Errorf("bad modifier in fields")
		}
		mod, arg := p.s[p.i:p.i+open], p.s[p.i+open+1:p.i+end]
		p.i += end + 1
		if mod == "limit" {
			n, err := strconv.Atoi(arg)
			if err != nil || n < 0 {
				return f, fmt.Errorf("bad limit %q", arg)
			}
			f.limit = n
		}
	}
	if p.i < len(p.s) && p.s[p.i] == '{' {
		p.i++
		sub, err := p.list()
		if err != nil {
			return f, err
		}
		if p.i >= len(p.s) || p.s[p.i] != '}' {
			return f, fmt.Errorf("missing } in fields")
		}
		p.i++
		f.sub = sub
	}
	return f, nil
}

func (c *call) fields(def string) ([]field, *apiError) {
	s := c.p["fields"]
	if s == "" {
		s = def
	}
	fs, err := parseFields(s)
	if err != nil {
		return nil, invalid("Syntax error in fields: %v", err)
	}
	return fs, nil
}

func (c *call) limit(def, max int) (int, *apiError) {
	s, ok := c.p["limit"]
	if !ok || s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, invalid("Param limit must be a non-negative integer")
	}
	if n == 0 {
		return def, nil
	}
	return min(n, max), nil
}
