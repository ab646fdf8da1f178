//go:build tools

// Package tools pins the commands this module builds, so that 'go mod tidy' keeps their dependencies: the control
// plane and kubectl, and the node components (kubelet, kube-scheduler) that run real pods for the real vclusters.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
