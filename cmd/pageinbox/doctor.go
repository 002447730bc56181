package main

// setupDoctor will check what usually goes wrong in a set-up: missing secrets,
// a token Meta refuses, a Page not subscribed to the app, an unwritable data dir.
var setupDoctor = notBuiltCommand("doctor")
