// Package helm checks the Helm chart of deploy/helm without a cluster: it renders the
// chart with Helm (pinned, from the module proxy) with the default values and with every
// optional part on, decodes every object strictly into the types of k8s.io/api (an
// unknown field is an error), and asserts what a production chart must hold. It is a
// module of its own so that k8s.io/api stays out of the service's go.mod.
package helm

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// helmVersion is the Helm the chart is checked with (Makefile's HELM_VERSION).
var helmVersion = envOr("HELM_VERSION", "v3.22.0")

const kubeVersion = "1.33.0"

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// root is the repository root; chartDir the chart (its only directory under deploy/helm,
// whatever `make rename` called it).
func chartDir(t *testing.T) string {
	t.Helper()
	dirs, err := filepath.Glob("../../deploy/helm/*/Chart.yaml")
	if err != nil || len(dirs) != 1 {
		t.Fatalf("want exactly one chart under deploy/helm, found %v (%v)", dirs, err)
	}
	return filepath.Dir(dirs[0])
}

func helm(t *testing.T, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("go", append([]string{"run", "helm.sh/helm/v3/cmd/helm@" + helmVersion}, args...)...)
	cmd.Env = append(os.Environ(), "GOFLAGS=") // go run pkg@version: no module flags
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("helm %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}

// rendered is every object of one `helm template`, decoded.
type rendered struct {
	deployments map[string]*appsv1.Deployment // by component label
	jobs        []*batchv1.Job
	services    []*corev1.Service
	configMaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	accounts    []*corev1.ServiceAccount
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	ingresses   []*networkingv1.Ingress
	policies    []*networkingv1.NetworkPolicy
	raw         string
}

// render runs helm template with the required values and extra flags, and decodes each
// document strictly by its kind.
func render(t *testing.T, extra ...string) rendered {
	t.Helper()
	args := append([]string{"template", "shop", chartDir(t), "--kube-version", kubeVersion,
		"--set", "image.repository=registry.example.com/shop", "--set", "database.existingSecret=shop-db"}, extra...)
	out, err := helm(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{deployments: map[string]*appsv1.Deployment{}, raw: string(out)}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(out), -1) {
		if strings.TrimSpace(stripComments(doc)) == "" {
			continue
		}
		var meta struct{ APIVersion, Kind string }
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil {
			t.Fatalf("not YAML: %v\n%s", err, doc)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "apps/v1 Deployment":
			obj = new(appsv1.Deployment)
		case "batch/v1 Job":
			obj = new(batchv1.Job)
		case "v1 Service":
			obj = new(corev1.Service)
		case "v1 ConfigMap":
			obj = new(corev1.ConfigMap)
		case "v1 Secret":
			obj = new(corev1.Secret)
		case "v1 ServiceAccount":
			obj = new(corev1.ServiceAccount)
		case "policy/v1 PodDisruptionBudget":
			obj = new(policyv1.PodDisruptionBudget)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			obj = new(autoscalingv2.HorizontalPodAutoscaler)
		case "networking.k8s.io/v1 Ingress":
			obj = new(networkingv1.Ingress)
		case "networking.k8s.io/v1 NetworkPolicy":
			obj = new(networkingv1.NetworkPolicy)
		default:
			t.Fatalf("the chart renders %s %s, which this test does not know: add it here", meta.APIVersion, meta.Kind)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Fatalf("%s does not decode strictly into k8s.io/api: %v\n%s", meta.Kind, err, doc)
		}
		switch o := obj.(type) {
		case *appsv1.Deployment:
			r.deployments[o.Labels["app.kubernetes.io/component"]] = o
		case *batchv1.Job:
			r.jobs = append(r.jobs, o)
		case *corev1.Service:
			r.services = append(r.services, o)
		case *corev1.ConfigMap:
			r.configMaps = append(r.configMaps, o)
		case *corev1.Secret:
			r.secrets = append(r.secrets, o)
		case *corev1.ServiceAccount:
			r.accounts = append(r.accounts, o)
		case *policyv1.PodDisruptionBudget:
			r.pdbs = append(r.pdbs, o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			r.hpas = append(r.hpas, o)
		case *networkingv1.Ingress:
			r.ingresses = append(r.ingresses, o)
		case *networkingv1.NetworkPolicy:
			r.policies = append(r.policies, o)
		}
	}
	return r
}

func stripComments(doc string) string {
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "#") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

func TestLintStrict(t *testing.T) {
	if _, err := helm(t, "lint", "--strict", chartDir(t), "--kube-version", kubeVersion,
		"--set", "image.repository=r/shop", "--set", "database.existingSecret=db"); err != nil {
		t.Fatal(err)
	}
	if _, err := helm(t, "lint", "--strict", chartDir(t), "--kube-version", kubeVersion,
		"-f", filepath.Join(chartDir(t), "ci", "all-features.yaml")); err != nil {
		t.Fatal(err)
	}
}

func TestRequiredValuesAreRequired(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"--set", "database.existingSecret=db"}},
		{[]string{"--set", "image.repository=r/shop"}},
	} {
		_, err := helm(t, append([]string{"template", "shop", chartDir(t), "--kube-version", kubeVersion}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), "is required") {
			t.Errorf("template with only %v: %v; want a failure saying what is required", tc.args, err)
		}
	}
}

func TestDefaultInstall(t *testing.T) {
	r := render(t)
	serve, dispatch := r.deployments["serve"], r.deployments["dispatch"]
	if serve == nil || dispatch == nil || len(r.deployments) != 2 {
		t.Fatalf("deployments = %v, want serve and dispatch", keys(r.deployments))
	}
	if serve.Spec.Replicas == nil || *serve.Spec.Replicas != 2 {
		t.Errorf("serve replicas = %v, want 2", serve.Spec.Replicas)
	}
	if len(r.ingresses)+len(r.hpas)+len(r.policies) != 0 {
		t.Error("an optional part is on by default (ingress, autoscaling or network policy)")
	}
	if len(r.pdbs) != 1 || len(r.jobs) != 1 || len(r.services) != 1 || len(r.configMaps) != 1 {
		t.Fatalf("want one PDB, migration Job, Service and ConfigMap: %d %d %d %d",
			len(r.pdbs), len(r.jobs), len(r.services), len(r.configMaps))
	}
	cm := r.configMaps[0].Data

	t.Run("serve: probes, drain, resources, spread", func(t *testing.T) {
		pod := serve.Spec.Template.Spec
		c := only(t, pod.Containers)
		if !slices.Equal(c.Args, []string{"serve"}) {
			t.Errorf("serve args = %v", c.Args)
		}
		wantProbe(t, "liveness", c.LivenessProbe, "/healthz", "http")
		wantProbe(t, "readiness", c.ReadinessProbe, "/readyz", "http")
		wantProbe(t, "startup", c.StartupProbe, "/healthz", "http")
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil || c.Lifecycle.PreStop.Sleep == nil || c.Lifecycle.PreStop.Sleep.Seconds < 1 {
			t.Fatalf("no preStop pause: %+v", c.Lifecycle)
		}
		shutdown := seconds(t, cm["SHUTDOWN_TIMEOUT"])
		if grace := *pod.TerminationGracePeriodSeconds; grace <= shutdown+c.Lifecycle.PreStop.Sleep.Seconds {
			t.Errorf("terminationGracePeriodSeconds %d, not above SHUTDOWN_TIMEOUT %d + preStop %d", grace, shutdown, c.Lifecycle.PreStop.Sleep.Seconds)
		}
		wantResources(t, "serve", c.Resources)
		if len(pod.TopologySpreadConstraints) == 0 && pod.Affinity == nil {
			t.Error("serve pods are neither spread nor anti-affine")
		}
		for _, tsc := range pod.TopologySpreadConstraints {
			sel, _ := metaSelector(tsc.LabelSelector.MatchLabels)
			if !sel.Matches(labels.Set(serve.Spec.Template.Labels)) {
				t.Errorf("topology spread %s does not select serve's pods", tsc.TopologyKey)
			}
		}
		if s := serve.Spec.Strategy.RollingUpdate; s == nil || s.MaxUnavailable == nil || s.MaxUnavailable.IntValue() != 0 {
			t.Error("a rolling update may take serving pods away before new ones are ready")
		}
	})

	t.Run("dispatch: its own deployment; serve does not dispatch; probes on the private port", func(t *testing.T) {
		c := only(t, dispatch.Spec.Template.Spec.Containers)
		if !slices.Equal(c.Args, []string{"dispatch"}) {
			t.Errorf("dispatch args = %v", c.Args)
		}
		if cm["SERVE_DISPATCH"] != "false" {
			t.Errorf("SERVE_DISPATCH = %q with the dispatcher deployed", cm["SERVE_DISPATCH"])
		}
		wantProbe(t, "liveness", c.LivenessProbe, "/healthz", "metrics")
		wantResources(t, "dispatch", c.Resources)
		if jwtFrom(c) {
			t.Error("the dispatcher gets the signing keys: it issues no tokens")
		}
	})

	t.Run("migrations: a pre-install/pre-upgrade hook; serve only checks the schema", func(t *testing.T) {
		j := r.jobs[0]
		if got := j.Annotations["helm.sh/hook"]; got != "pre-install,pre-upgrade" {
			t.Errorf("helm.sh/hook = %q", got)
		}
		if !strings.Contains(j.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation") {
			t.Error("a failed migration Job would block the next upgrade (no before-hook-creation)")
		}
		c := only(t, j.Spec.Template.Spec.Containers)
		if !slices.Equal(c.Args, []string{"migrate"}) || j.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
			t.Errorf("migration job: args %v, restart %s", c.Args, j.Spec.Template.Spec.RestartPolicy)
		}
		if len(c.EnvFrom) != 0 {
			t.Error("the hook Job reads the ConfigMap, which a first install has not created yet")
		}
		if cm["MIGRATE_ON_START"] != "false" {
			t.Errorf("MIGRATE_ON_START = %q: serve would race the migration job", cm["MIGRATE_ON_START"])
		}
		wantResources(t, "migrate", c.Resources)
	})

	t.Run("restricted pod security everywhere", func(t *testing.T) {
		for name, pod := range r.pods() {
			wantRestricted(t, name, pod)
		}
	})

	t.Run("service: HTTP only, serve's pods only; metrics never exposed through it", func(t *testing.T) {
		svc := r.services[0]
		if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].TargetPort.String() != "http" {
			t.Fatalf("service ports = %+v, want only http", svc.Spec.Ports)
		}
		sel, _ := metaSelector(svc.Spec.Selector)
		if !sel.Matches(labels.Set(serve.Spec.Template.Labels)) || sel.Matches(labels.Set(dispatch.Spec.Template.Labels)) {
			t.Error("the Service does not select exactly serve's pods")
		}
		if cm["METRICS_ADDR"] == "" || strings.HasSuffix(cm["METRICS_ADDR"], ":8080") {
			t.Errorf("METRICS_ADDR = %q: want the private listener on a port of its own", cm["METRICS_ADDR"])
		}
		if serve.Spec.Template.Annotations["prometheus.io/scrape"] != "true" {
			t.Error("no scrape annotations on serve's pods")
		}
	})

	t.Run("PDB selects serve's pods", func(t *testing.T) {
		sel, err := metaSelector(r.pdbs[0].Spec.Selector.MatchLabels)
		if err != nil || !sel.Matches(labels.Set(serve.Spec.Template.Labels)) || sel.Matches(labels.Set(dispatch.Spec.Template.Labels)) {
			t.Errorf("PDB selector %v does not select exactly serve's pods", r.pdbs[0].Spec.Selector)
		}
	})

	t.Run("secrets: referenced, never literal", func(t *testing.T) {
		// The only Secret the chart makes is the generated signing secret, random.
		if len(r.secrets) != 1 || r.secrets[0].Annotations["helm.sh/resource-policy"] != "keep" {
			t.Fatalf("secrets = %d, want the generated signing key, kept on uninstall", len(r.secrets))
		}
		again := render(t)
		key := string(r.secrets[0].Data["JWT_KEYS"])
		if string(again.secrets[0].Data["JWT_KEYS"]) == key || !strings.HasPrefix(key, "-----BEGIN EC PRIVATE KEY-----") {
			t.Errorf("the generated signing key is not a fresh EC key: %.40q", key)
		}
		for _, k := range []string{"DATABASE_URL", "DATABASE_DIRECT_URL", "DATABASE_READ_URL", "JWT_SECRET", "JWT_KEYS", "SMTP_URL"} {
			if _, ok := cm[k]; ok {
				t.Errorf("%s in the ConfigMap", k)
			}
		}
		for name, pod := range r.pods() {
			for _, c := range pod.Containers {
				for _, e := range c.Env {
					if secretName(e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
						t.Errorf("%s: %s is not from a Secret", name, e.Name)
					}
				}
			}
		}
		if !jwtFrom(only(t, serve.Spec.Template.Spec.Containers)) {
			t.Error("serve does not get JWT_KEYS from the Secret")
		}
		if regexp.MustCompile(`postgres(ql)?://[^\s"']*:[^\s"'@]+@`).MatchString(r.raw) {
			t.Error("a database URL with a password is in the rendered chart")
		}
	})

	t.Run("every configuration variable of the README has a value or stays unset", func(t *testing.T) {
		vars := readmeVariables(t)
		vals := valuesConfigKeys(t)
		for _, v := range vars {
			switch {
			case secretName(v), cm[v] != "", vals[v]:
			default:
				t.Errorf("%s (README configuration table) is neither in values.yaml's config, set by the chart, nor a Secret key", v)
			}
		}
	})
}

func TestEveryOptionalPartOn(t *testing.T) {
	r := render(t, "-f", filepath.Join(chartDir(t), "ci", "all-features.yaml"))
	serve := r.deployments["serve"]
	if serve.Spec.Replicas != nil {
		t.Error("serve's replicas are set though the HPA decides them")
	}
	if len(r.hpas) != 1 || r.hpas[0].Spec.ScaleTargetRef.Name != serve.Name || r.hpas[0].Spec.ScaleTargetRef.Kind != "Deployment" {
		t.Fatalf("HPA = %+v", r.hpas)
	}
	if len(r.ingresses) != 1 {
		t.Fatal("no Ingress")
	}
	ing := r.ingresses[0]
	if ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != "alb" ||
		ing.Annotations["alb.ingress.kubernetes.io/target-type"] != "ip" {
		t.Errorf("ingress class and annotations: %v %v", ing.Spec.IngressClassName, ing.Annotations)
	}
	backend := ing.Spec.Rules[0].HTTP.Paths[0].Backend.Service
	if backend.Name != r.services[0].Name || backend.Port.Name != "http" {
		t.Errorf("ingress backend = %+v, want the Service's http port", backend)
	}
	if len(r.policies) != 2 {
		t.Fatalf("network policies = %d, want serve's and dispatch's", len(r.policies))
	}
	for _, p := range r.policies {
		sel, _ := metaSelector(p.Spec.PodSelector.MatchLabels)
		var ports []string
		for _, rule := range p.Spec.Ingress {
			if len(rule.From) == 0 {
				t.Errorf("%s admits every source", p.Name)
			}
			for _, port := range rule.Ports {
				ports = append(ports, port.Port.String())
			}
		}
		switch {
		case sel.Matches(labels.Set(serve.Spec.Template.Labels)):
			if !slices.Equal(ports, []string{"http", "metrics"}) {
				t.Errorf("serve's policy opens %v, want http (ingress) and metrics (Prometheus)", ports)
			}
		case sel.Matches(labels.Set(r.deployments["dispatch"].Spec.Template.Labels)):
			if !slices.Equal(ports, []string{"metrics"}) {
				t.Errorf("dispatch's policy opens %v, want metrics", ports)
			}
		default:
			t.Errorf("policy %s selects no pods of the chart", p.Name)
		}
	}
	if len(r.secrets) != 0 {
		t.Error("with jwt.existingSecret the chart still makes a Secret")
	}
	cm := r.configMaps[0].Data
	if cm["DB_POOLER"] != "transaction" {
		t.Error("config values do not reach the ConfigMap")
	}
	j := only(t, r.jobs[0].Spec.Template.Spec.Containers)
	if !slices.ContainsFunc(j.Env, func(e corev1.EnvVar) bool { return e.Name == "DB_POOLER" && e.Value == "transaction" }) {
		t.Error("the migration job does not know the database is behind a pooler")
	}
	for name, pod := range r.pods() {
		wantRestricted(t, name, pod)
	}
}

func TestDispatchInServeWhenItsDeploymentIsOff(t *testing.T) {
	r := render(t, "--set", "dispatch.enabled=false", "--set", "migrations.enabled=false")
	if _, ok := r.deployments["dispatch"]; ok || len(r.jobs) != 0 {
		t.Fatal("dispatch deployment or migration job rendered though disabled")
	}
	if cm := r.configMaps[0].Data; cm["SERVE_DISPATCH"] != "true" || cm["MIGRATE_ON_START"] != "true" {
		t.Errorf("SERVE_DISPATCH=%q MIGRATE_ON_START=%q: then serve must send the mail and migrate", cm["SERVE_DISPATCH"], cm["MIGRATE_ON_START"])
	}
}

// pods are the pod specs of every workload.
func (r rendered) pods() map[string]corev1.PodSpec {
	out := map[string]corev1.PodSpec{}
	for name, d := range r.deployments {
		out["deployment "+name] = d.Spec.Template.Spec
	}
	for _, j := range r.jobs {
		out["job "+j.Name] = j.Spec.Template.Spec
	}
	return out
}

func wantRestricted(t *testing.T, name string, pod corev1.PodSpec) {
	t.Helper()
	psc := pod.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.SeccompProfile == nil ||
		psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod securityContext is not restricted: %+v", name, psc)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s mounts a service account token it does not use", name)
	}
	for _, c := range append(pod.InitContainers, pod.Containers...) {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation ||
			sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 ||
			(sc.Privileged != nil && *sc.Privileged) {
			t.Errorf("%s/%s: container securityContext is not restricted: %+v", name, c.Name, sc)
		}
	}
}

func wantProbe(t *testing.T, which string, p *corev1.Probe, path, port string) {
	t.Helper()
	if p == nil || p.HTTPGet == nil || p.HTTPGet.Path != path || p.HTTPGet.Port.String() != port {
		t.Errorf("%s probe = %+v, want GET %s on port %s", which, p, path, port)
	}
}

func wantResources(t *testing.T, name string, r corev1.ResourceRequirements) {
	t.Helper()
	for _, res := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := r.Requests[res]; !ok {
			t.Errorf("%s: no %s request", name, res)
		}
		if _, ok := r.Limits[res]; !ok {
			t.Errorf("%s: no %s limit", name, res)
		}
	}
}

func only(t *testing.T, cs []corev1.Container) corev1.Container {
	t.Helper()
	if len(cs) != 1 {
		t.Fatalf("%d containers, want 1", len(cs))
	}
	return cs[0]
}

func jwtFrom(c corev1.Container) bool {
	return slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool {
		return e.Name == "JWT_KEYS" && e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil
	})
}

func secretName(v string) bool {
	return slices.Contains([]string{"DATABASE_URL", "DATABASE_DIRECT_URL", "DATABASE_READ_URL", "JWT_SECRET", "JWT_KEYS", "SMTP_URL"}, v)
}

func metaSelector(m map[string]string) (labels.Selector, error) {
	if len(m) == 0 {
		return labels.Nothing(), fmt.Errorf("empty selector")
	}
	return labels.SelectorFromSet(m), nil
}

func seconds(t *testing.T, d string) int64 {
	t.Helper()
	var n int64
	if _, err := fmt.Sscanf(d, "%ds", &n); err != nil {
		t.Fatalf("SHUTDOWN_TIMEOUT %q is not whole seconds", d)
	}
	return n
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// readmeVariables are the variables of the README's configuration table.
func readmeVariables(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	row := regexp.MustCompile("^\\| `([A-Z][A-Z0-9_]+)` \\|")
	var out []string
	in := false
	for s := bufio.NewScanner(f); s.Scan(); {
		l := s.Text()
		if strings.HasPrefix(l, "## ") {
			in = l == "## Configuration"
		}
		if m := row.FindStringSubmatch(l); in && m != nil {
			out = append(out, m[1])
		}
	}
	if len(out) < 20 {
		t.Fatalf("found only %d variables in README's configuration table", len(out))
	}
	return out
}

// valuesConfigKeys are the keys under config: in the chart's values.yaml.
func valuesConfigKeys(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartDir(t), "values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Config map[string]any `json:"config"`
	}
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for k := range v.Config {
		out[k] = true
	}
	return out
}
