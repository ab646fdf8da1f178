// Command vectors prints reference results of vcluster's own name translation and pod status code, so that the
// extension's TypeScript ports are tested against the real implementation (test/unit/fixtures/vcluster-vectors.json).
// Run: go run ./vectors < test/unit/fixtures/vcluster-vector-inputs.json > test/unit/fixtures/vcluster-vectors.json
package main

import (
	"encoding/json"
	"os"

	"github.com/loft-sh/vcluster/pkg/cli/find"
	"github.com/loft-sh/vcluster/pkg/util/translate"
	corev1 "k8s.io/api/core/v1"
)

type input struct {
	Names [][]string     `json:"names"`
	Pods  []corev1.Pod   `json:"pods"`
}

type output struct {
	Names []nameVector `json:"names"`
	Pods  []podVector  `json:"pods"`
}

type nameVector struct {
	Parts []string `json:"parts"`
	Name  string   `json:"name"`
}

type podVector struct {
	Pod    corev1.Pod `json:"pod"`
	Status string     `json:"status"`
}

func main() {
	var in input
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		panic(err)
	}
	var out output
	for _, parts := range in.Names {
		out.Names = append(out.Names, nameVector{Parts: parts, Name: translate.SafeConcatName(parts...)})
	}
	for i := range in.Pods {
		out.Pods = append(out.Pods, podVector{Pod: in.Pods[i], Status: find.GetPodStatus(&in.Pods[i])})
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
