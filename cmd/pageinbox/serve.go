package main

// setupServe will own the data dir: it receives Meta's webhook, runs the outbox
// dispatcher and serves the live feed that TUIs attach to.
var setupServe = notBuiltCommand("serve")
