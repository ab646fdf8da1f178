//go:build tools

// Package tools pins the commands this module builds, so that 'go mod tidy' keeps their dependencies: the vcluster
// CLI, and the syncer that vcluster's own container image runs as `vcluster start` (cmd/vcluster).
package tools

import (
	_ "github.com/loft-sh/vcluster/cmd/vcluster"
	_ "github.com/loft-sh/vcluster/cmd/vclusterctl"
)
