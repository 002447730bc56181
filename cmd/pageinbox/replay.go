package main

// setupReplay will feed recorded webhook payloads through ingest again, as if
// Meta had sent them; ingest deduplicates by mid, so this is safe to repeat.
var setupReplay = notBuiltCommand("replay")
