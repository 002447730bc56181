// Package layout holds no code: its test checks that the packages depend
// on each other the one way DESIGN.md draws (cmd -> {tui, daemon,
// webhook, inbox, fbgraph, store}; tui -> inbox and store's types;
// daemon -> inbox; inbox -> {store, fbgraph}; webhook -> store; store
// imports none of ours; nothing imports cmd or tui).
package layout
