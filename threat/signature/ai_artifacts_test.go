package signature_test

import "testing"

// The folders where AI coding assistants keep their settings, MCP
// servers and API keys (the CRS's ai-critical-artifacts list, rule
// 930140): asked for in a URL path, or named by a value that is a path
// into one. Prose that mentions them is not.
func TestAIAssistantFolders(t *testing.T) {
	checkFamily(t, "traversal", []familyCase{
		{"path", "/.aider/chat.aider", 0.99},
		{"path", "/.zed/settings.json", 0.99},
		{"path", "/.claude/settings.local.json", 0.99},
		{"path", "/app/.cursor/mcp.json", 0.99},
		{"q", ".cursor/mcp.json", 0.99},
	}, []familyCase{
		{"q", "put your keys in .claude/settings.json", 0},
		{"q", "the .zed folder", 0},
		{"path", "/blog/claude-settings", 0},
		{"path", "/cursor/zed.json", 0},
	}, 0.9)
}
