package fbtest

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Crowd is a set of simulated shop customers writing to the Page, for
// `pageinbox demo`: they write at random gaps, and answer some of the
// Page's replies.
type Crowd struct {
	Server *Server
	Driver *Driver // posts their webhooks to the receiver
	People int     // default 12
	// MinGap, MaxGap: the time between two messages of the crowd (any
	// customer); default 2 s .. 8 s.
	MinGap, MaxGap time.Duration
	// ReplyChance is the chance a customer answers a message the Page
	// sends them; default 0.5. Of those who don't answer, a quarter react
	// to it with a heart instead. Negative: never answer.
	ReplyChance float64
	// MinReplyDelay, MaxReplyDelay: how long a customer takes to answer;
	// default 1 s .. 5 s.
	MinReplyDelay, MaxReplyDelay time.Duration
	Seed                         int64

	mu        sync.Mutex
	people    []*person
	byPSID    map[string]*person
	written   int
	answers   int
	reactions int
}

type person struct {
	psid, name string
	wrote      int // messages so far
}

// CrowdStats counts what a Crowd did.
type CrowdStats struct {
	Written   int // messages written on their own (first messages and follow-ups)
	Answers   int // answers to the Page's messages
	Reactions int // reactions to the Page's messages
}

// Stats counts what the crowd did so far.
func (c *Crowd) Stats() CrowdStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CrowdStats{Written: c.written, Answers: c.answers, Reactions: c.reactions}
}

// Customers lists the crowd's PSIDs (empty until Run has added them).
func (c *Crowd) Customers() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.people))
	for i, p := range c.people {
		out[i] = p.psid
	}
	return out
}

// Run adds the customers to the Server, then writes messages until ctx
// ends, answering some of the Page's sends. It returns nil when ctx ends
// (after its pending answers gave up); failed webhook posts are logged
// through the Server's Logf and do not stop it. Run a Crowd once.
func (c *Crowd) Run(ctx context.Context) error {
	if c.Server == nil || c.Driver == nil {
		return errors.New("fbtest: Crowd needs a Server and a Driver")
	}
	people := c.People
	if people <= 0 {
		people = 12
	}
	minGap, maxGap := orDefault(c.MinGap, 2*time.Second), orDefault(c.MaxGap, 8*time.Second)
	minReply, maxReply := orDefault(c.MinReplyDelay, time.Second), orDefault(c.MaxReplyDelay, 5*time.Second)
	chance := c.ReplyChance
	if chance == 0 {
		chance = 0.5
	}
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x63726f7764))

	c.mu.Lock()
	c.byPSID = map[string]*person{}
	order := rng.Perm(len(customerNames))
	for i := range people {
		name := customerNames[order[i%len(order)]]
		if i >= len(order) { // more people than names: mix first and last names
			first, _, _ := strings.Cut(name, " ")
			_, last, _ := strings.Cut(customerNames[order[(i*7+3)%len(order)]], " ")
			name = first + " " + last
		}
		var psid string
		for psid == "" || c.byPSID[psid] != nil {
			psid = strconv.FormatInt(6100000000000000+rng.Int64N(899999999999999), 10)
		}
		p := &person{psid: psid, name: name}
		c.people = append(c.people, p)
		c.byPSID[psid] = p
		c.Server.AddUser(psid, name)
	}
	c.mu.Unlock()

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { c.answer(ctx, &wg, chance, minReply, maxReply) })

	for {
		if !sleepCtx(ctx, between(rng, minGap, maxGap)) {
			return nil
		}
		c.mu.Lock()
		p := c.people[rng.IntN(len(c.people))]
		n := p.wrote
		p.wrote++
		c.written++
		c.mu.Unlock()
		var err error
		switch {
		case n == 0 && rng.Float64() < 0.2:
			_, err = c.Server.CustomerPostback(ctx, c.Driver, p.psid, "Get Started", "GET_STARTED")
			if err == nil {
				_, err = c.Server.CustomerWrites(ctx, c.Driver, p.psid, pick(rng, openers))
			}
		case n == 0 || rng.Float64() < 0.3:
			_, err = c.Server.CustomerWrites(ctx, c.Driver, p.psid, pick(rng, openers))
		default:
			_, err = c.Server.CustomerWrites(ctx, c.Driver, p.psid, pick(rng, followUps))
		}
		if err != nil && ctx.Err() == nil {
			c.Server.cfg.Logf("fbtest: crowd: %s's message: %v", p.name, err)
		}
	}
}

// answer watches the Page's sends and has their recipients answer some.
func (c *Crowd) answer(ctx context.Context, wg *sync.WaitGroup, chance float64, minDelay, maxDelay time.Duration) {
	rng := rand.New(rand.NewPCG(uint64(c.Seed), 0x616e73776572))
	seen := len(c.Server.Sent())
	for {
		signal := c.Server.SentSignal()
		sent := c.Server.Sent()
		for _, m := range sent[seen:] {
			c.mu.Lock()
			p := c.byPSID[m.PSID]
			c.mu.Unlock()
			if p == nil {
				continue
			}
			roll, delay, line := rng.Float64(), between(rng, minDelay, maxDelay), pick(rng, answers)
			switch {
			case roll < chance:
				wg.Go(func() {
					if !sleepCtx(ctx, delay) {
						return
					}
					c.mu.Lock()
					c.answers++
					c.mu.Unlock()
					if _, err := c.Server.CustomerWrites(ctx, c.Driver, p.psid, line); err != nil && ctx.Err() == nil {
						c.Server.cfg.Logf("fbtest: crowd: %s's answer: %v", p.name, err)
					}
				})
			case roll < chance+(1-chance)/4:
				wg.Go(func() {
					if !sleepCtx(ctx, delay) {
						return
					}
					c.mu.Lock()
					c.reactions++
					c.mu.Unlock()
					if err := c.Server.CustomerReacts(ctx, c.Driver, p.psid, m.MID, "love", "\u2764\ufe0f"); err != nil && ctx.Err() == nil {
						c.Server.cfg.Logf("fbtest: crowd: %s's reaction: %v", p.name, err)
					}
				})
			}
		}
		seen = len(sent)
		select {
		case <-ctx.Done():
			return
		case <-signal:
		}
	}
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func between(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

func pick(rng *rand.Rand, lines []string) string { return lines[rng.IntN(len(lines))] }

// sleepCtx sleeps d; false if ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

var customerNames = []string{
	"Amelia Hughes", "Mateo García", "Priya Raman", "Lukas Becker", "Chiara Rossi",
	"Oluwaseun Adeyemi", "Sofia Lindqvist", "Hiroshi Tanaka", "Fatima Zahra El Idrissi", "Jack O'Connor",
	"Nguyen Thi Lan", "Maria dos Santos", "Ahmed Hassan", "Zoë van der Berg", "Carlos Mendoza",
	"Aiyana Redcloud", "Emily Chen", "Kwame Mensah", "Isabella Moretti", "Dmitri Volkov",
	"Siobhan Murphy", "Rahul Mehta", "Ana Lúcia Ferreira", "Tomás Novák", "Leila Haddad",
	"Grace Kim", "Juan Pablo Ortiz", "Ingrid Hansen", "Yusuf Demir", "Chloé Dubois",
	"Mia Schneider", "Tariq Al-Farsi", "Hannah Goldberg", "Kofi Boateng", "Valentina López",
	"Ethan Walker", "Aroha Ngata", "Wei Zhang", "Elif Yılmaz", "Noah Fischer",
	"Bảo Trần", "Sven Johansson",
}

var openers = []string{
	"Hi! Do you still have the linen shirt in size M?",
	"Hello, how long does shipping to Lyon usually take?",
	"Is the blue ceramic mug dishwasher safe?",
	"Hi, I ordered on Monday (order #48213) and haven't received a tracking number yet",
	"Do you ship internationally? I'm in Canada 🇨🇦",
	"Hey! Can I pick up my order at the shop instead?",
	"Good morning, are you open on Sunday?",
	"What's the difference between the classic and the slim fit?",
	"Hi there, the zip on my jacket broke after two weeks 😕 what can I do?",
	"Can I return something I bought as a gift?",
	"Do you have gift cards?",
	"Hello! Is the sale still on this weekend?",
	"hi is this still available?",
	"I'd like to order 3 of the scented candles, the lavender ones",
	"Do you make custom sizes for the wooden trays?",
	"Is there a discount for students?",
	"My package says delivered but I can't find it anywhere",
	"Hi, can I change the delivery address on my order? I just moved",
	"Are your bags vegan leather or real leather?",
	"Hello 👋 do you have this in green?",
	"What payment methods do you accept? Can I pay with PayPal?",
	"Bonjour ! Vous livrez en Belgique ?",
	"Hola, ¿tienen la talla 38 en las sandalias?",
	"How do I care for the merino sweater? Hand wash only?",
	"I was charged twice for the same order 😬",
	"Can you hold an item for me until Friday?",
	"Are the earrings nickel free? I have an allergy",
	"Hi! Loved my last order. Any new arrivals coming soon?",
	"Is the coffee grinder available in black?",
	"Can I order by phone instead?",
}

var followUps = []string{
	"Also, do you do gift wrapping?",
	"Sorry, one more thing: what's your return window?",
	"Hello? Anyone there?",
	"Just checking in on my previous message 🙂",
	"And is delivery free above a certain amount?",
	"Never mind, I found it on your site. Thanks!",
	"Actually make that size L please",
	"My order number is 51877 if that helps",
	"Could you send me a photo of it from the side?",
	"Ok, and how much would shipping be?",
	"I can come by tomorrow around 5pm",
	"Here's a picture of the damage, it arrived like this",
}

var answers = []string{
	"Great, thanks!",
	"Perfect, I'll order it now 🙌",
	"Thank you so much!",
	"Ok 👍",
	"That works for me",
	"Hmm, that's a bit long. Is there express shipping?",
	"Can you send me the link?",
	"Awesome, see you Saturday",
	"Thanks for the quick reply!",
	"Ah ok. Then I'll take the M",
	"Got it, thanks",
	"Is it possible to get it any sooner?",
	"Yes please, go ahead",
	"Lovely, thank you ❤️",
	"No problem, I'll wait",
	"Brilliant, cheers!",
	"What's the tracking number?",
	"Ok I'll check and get back to you",
}
