package main

// setupCampaign will queue one message for many conversations, skipping those
// outside the messaging window (no tag may carry a broadcast).
var setupCampaign = notBuiltCommand("campaign")
