package main

// setupSync will backfill conversations and profiles from the Graph API, for
// history that arrived before the webhook was set up.
var setupSync = notBuiltCommand("sync")
