// Command configmigrations prints, as JSON, how vcluster's own code moves configuration keys between versions, so
// that the extension can warn about an old key and name the new one without a hand-written table:
//
//   - 0.19 → 0.20: every leaf of the legacy values (config/legacyconfig.LegacyK8s) is set alone to sample values and
//     run through legacyconfig.MigrateLegacyConfig, the code behind `vcluster convert config`; the keys of the result
//     that differ from migrating empty values are where that leaf went (none: the conversion drops it).
//   - 0.32: the keys `vcluster create --upgrade` warns about (the advisors of pkg/cli/create_helm.go, whose texts are
//     config/warnings.go and pkg/platform/sleepmode) are printed with their old → new example tables parsed into
//     pairs of YAML documents.
//
// Run from tools/vcluster: go run ./configmigrations > ../../src/vcluster/config/generated/migrations.json
// (scripts/vcluster-config-data.mjs does this and checks that the committed file matches).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"github.com/loft-sh/vcluster/config"
	"github.com/loft-sh/vcluster/config/legacyconfig"
	"github.com/loft-sh/vcluster/pkg/platform/sleepmode"
	"github.com/loft-sh/vcluster/pkg/upgrade"
	"sigs.k8s.io/yaml"
)

type legacyMove struct {
	From string   `json:"from"`
	To   []string `json:"to"`
	// Error is set when the conversion refuses every sample value of this key.
	Error string `json:"error,omitempty"`
}

type advisorTable struct {
	Key   string `json:"key"`
	Old   string `json:"old"`
	New   string `json:"new"`
	Intro string `json:"intro"`
}

type output struct {
	Version  string         `json:"version"`
	Legacy   []legacyMove   `json:"legacy"`
	Advisors []advisorTable `json:"advisors"`
}

type leaf struct {
	path    []string
	samples []any
}

func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if tag == "-" {
		return "", false
	}
	name := strings.Split(tag, ",")[0]
	if name == "" {
		name = f.Name
	}
	return name, true
}

// sampleOf builds one non-zero value of type t (structs with every field set), for slices of structs.
func sampleOf(t reflect.Type, depth int) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return true
	case reflect.String:
		return "sample-value"
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return 3
	case reflect.Float32, reflect.Float64:
		return 1.5
	case reflect.Slice:
		return []any{sampleOf(t.Elem(), depth+1)}
	case reflect.Map:
		return map[string]any{"sample-key": sampleOf(t.Elem(), depth+1)}
	case reflect.Interface:
		return "sample-value"
	case reflect.Struct:
		out := map[string]any{}
		if depth > 4 {
			return out
		}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if f.Anonymous {
				if m, ok := sampleOf(f.Type, depth+1).(map[string]any); ok {
					for k, v := range m {
						out[k] = v
					}
				}
				continue
			}
			if name, ok := jsonName(f); ok {
				out[name] = sampleOf(f.Type, depth+1)
			}
		}
		return out
	}
	return "sample-value"
}

func samplesFor(t reflect.Type) []any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return []any{true, false}
	case reflect.String:
		// an image reference and a namespace/name pair parse where plain words would not
		return []any{"sample-value", "registry.example.com/sample/image:v1", "sample-ns/sample-name", "LoadBalancer"}
	case reflect.Int, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint32, reflect.Uint64:
		return []any{3, 7}
	case reflect.Interface:
		return []any{1, "50%", "sample-value"}
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return []any{map[string]any{"sample-key": "sample-value"}}
		}
		return []any{map[string]any{"sample-key": "sample-value"}, sampleOf(t, 0)}
	default:
		return []any{sampleOf(t, 0)}
	}
}

func walk(t reflect.Type, prefix []string, out *[]leaf) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && ft.Kind() == reflect.Struct {
			walk(ft, prefix, out)
			continue
		}
		name, ok := jsonName(f)
		if !ok {
			continue
		}
		path := append(append([]string{}, prefix...), name)
		// Structs of the legacy values are walked; structs of the new config (config.*) are values of one key.
		if ft.Kind() == reflect.Struct && ft.PkgPath() == reflect.TypeOf(legacyconfig.LegacyK8s{}).PkgPath() || ft.Kind() == reflect.Struct && ft.Name() == "" {
			walk(ft, path, out)
			continue
		}
		*out = append(*out, leaf{path: path, samples: samplesFor(f.Type)})
	}
}

func nest(path []string, v any) map[string]any {
	var cur any = v
	for i := len(path) - 1; i >= 0; i-- {
		cur = map[string]any{path[i]: cur}
	}
	return cur.(map[string]any)
}

// flatten returns every leaf path of a YAML/JSON document with its value as canonical JSON.
func flatten(v any, prefix string, out map[string]string) {
	if m, ok := v.(map[string]any); ok && len(m) > 0 {
		for k, x := range m {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(x, p, out)
		}
		return
	}
	b, _ := json.Marshal(v)
	out[prefix] = string(b)
}

func migrate(values map[string]any) (map[string]string, error) {
	in, err := yaml.Marshal(values)
	if err != nil {
		return nil, err
	}
	res, err := legacyconfig.MigrateLegacyConfig("k8s", string(in))
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(res), &doc); err != nil {
		return nil, err
	}
	flat := map[string]string{}
	flatten(doc, "", flat)
	return flat, nil
}

// diffPaths are the keys of a migration result that differ from the baseline, cut at the sample map keys this
// program invented (a map-valued key moves as a whole).
func diffPaths(base, flat map[string]string) map[string]bool {
	to := map[string]bool{}
	add := func(k string) {
		if i := strings.Index(k, ".sample-key"); i >= 0 {
			k = k[:i]
		}
		to[k] = true
	}
	for k, v := range flat {
		if base[k] != v {
			add(k)
		}
	}
	for k := range base {
		if _, present := flat[k]; !present {
			add(k)
		}
	}
	return to
}

func merge(a, b map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if am, ok := out[k].(map[string]any); ok {
			if bm, ok := v.(map[string]any); ok {
				out[k] = merge(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// intended tells a refusal of the conversion ("… is not supported anymore") from a sample value of the wrong shape.
func intended(err error) bool {
	return err != nil && !strings.Contains(err.Error(), "unmarshal") && !strings.Contains(err.Error(), "sample-")
}

func legacyMoves() []legacyMove {
	base, err := migrate(map[string]any{})
	if err != nil {
		panic(err)
	}
	var leaves []leaf
	walk(reflect.TypeOf(legacyconfig.LegacyK8s{}), nil, &leaves)
	var moves []legacyMove
	for _, l := range leaves {
		to := map[string]bool{}
		var refusal error
		for _, s := range l.samples {
			flat, err := migrate(nest(l.path, s))
			if err != nil {
				if intended(err) {
					refusal = err
				}
				continue
			}
			for k := range diffPaths(base, flat) {
				to[k] = true
			}
		}
		// Some keys only count together with another (an image pull policy with an image, isolation.* with
		// isolation.enabled): try each other key of the same section alongside, and keep what this key adds.
		if len(to) == 0 && refusal == nil {
			for _, m := range leaves {
				if m.path[0] != l.path[0] || strings.Join(m.path, ".") == strings.Join(l.path, ".") {
					continue
				}
				for _, ms := range m.samples {
					other := nest(m.path, ms)
					alone, err := migrate(other)
					if err != nil {
						continue
					}
					for _, s := range l.samples {
						both, err := migrate(merge(other, nest(l.path, s)))
						if err != nil {
							continue
						}
						for k := range diffPaths(alone, both) {
							to[k] = true
						}
					}
				}
			}
		}
		m := legacyMove{From: strings.Join(l.path, "."), To: []string{}}
		for k := range to {
			m.To = append(m.To, k)
		}
		sort.Strings(m.To)
		if len(m.To) == 0 && refusal != nil {
			m.Error = refusal.Error()
		}
		moves = append(moves, m)
	}
	sort.Slice(moves, func(i, j int) bool { return moves[i].From < moves[j].From })
	return moves
}

// splitTable turns the "| old | new" example table of an advisor's text into its two YAML documents.
func splitTable(text string) advisorTable {
	var intro, left, right []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "|") {
			if len(left) == 0 && strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "For example") {
				intro = append(intro, strings.TrimSpace(line))
			}
			continue
		}
		cols := strings.SplitN(line[1:], "|", 2)
		l := strings.Replace(cols[0], "---->", "", 1)
		left = append(left, strings.TrimRight(l, " "))
		if len(cols) > 1 {
			right = append(right, strings.TrimRight(cols[1], " "))
		}
	}
	return advisorTable{Old: dedent(left), New: dedent(right), Intro: strings.Join(intro, " ")}
}

func dedent(lines []string) string {
	min := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " "))
		if min < 0 || n < min {
			min = n
		}
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l[min:])
	}
	return strings.Join(out, "\n") + "\n"
}

func main() {
	upgrade.SetVersion(os.Args[len(os.Args)-1])
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: configmigrations VERSION")
		os.Exit(2)
	}
	// The advisors of `vcluster create --upgrade` (pkg/cli/create_helm.go): a legacy key → the text it prints.
	advisors := map[string]func() string{
		"sleepMode":    sleepmode.Warning,
		"platform":     config.WarningPlatform,
		"autoDelete":   config.WarningAutoDelete,
		"autoSleep":    config.WarningAutoSleep,
		"autoSnapshot": config.WarningAutoSnapshot,
	}
	out := output{Version: upgrade.GetVersion(), Legacy: legacyMoves()}
	keys := make([]string, 0, len(advisors))
	for k := range advisors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text := advisors[k]()
		if text == "" {
			panic("advisor " + k + " printed nothing: is the version at least 0.32?")
		}
		t := splitTable(text)
		t.Key = k
		out.Advisors = append(out.Advisors, t)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
