// Command kubeplay turns a `helm template` of the chart into what Debian's podman 4.3 can
// `podman kube play` (.ci/kube-smoke.sh): the ConfigMap as is; the serve and dispatch
// Deployments with one replica each and their ports published on 127.0.0.1 (hostPort,
// since podman has no Service); the migration hook Job as a Pod (podman plays no Jobs)
// that runs the Job's own container once; the Secrets in the form podman reads them.
// Nothing else of the objects is changed.
//
//	kubeplay -in rendered.yaml -out DIR -http-port 18480 -metrics-port 18490
package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

func main() {
	in := flag.String("in", "", "output of helm template")
	out := flag.String("out", "", "directory for the files to play")
	httpPort := flag.Int("http-port", 0, "host port on 127.0.0.1 for serve's http port")
	metricsPort := flag.Int("metrics-port", 0, "host port on 127.0.0.1 for dispatch's metrics port")
	flag.Parse()
	if err := run(*in, *out, int32(*httpPort), int32(*metricsPort)); err != nil { //nolint:gosec // G115: ports
		fmt.Fprintln(os.Stderr, "kubeplay:", err)
		os.Exit(1)
	}
}

func run(in, out string, httpPort, metricsPort int32) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	write := func(name string, v any) error {
		y, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, name), y, 0o644)
	}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil || meta.Kind == "" {
			continue
		}
		switch meta.Kind {
		case "ConfigMap":
			if err := os.WriteFile(filepath.Join(out, "configmap.yaml"), []byte(doc), 0o644); err != nil {
				return err
			}
		case "Deployment":
			var d appsv1.Deployment
			if err := yaml.UnmarshalStrict([]byte(doc), &d); err != nil {
				return err
			}
			one := int32(1)
			d.Spec.Replicas = &one
			component := d.Labels["app.kubernetes.io/component"]
			publish(&d.Spec.Template.Spec, map[string]int32{"serve/http": httpPort, "dispatch/metrics": metricsPort}, component)
			if err := write(component+".yaml", d); err != nil {
				return err
			}
		case "Secret":
			// podman 4.3 reads a secretKeyRef from a podman secret that holds a JSON map of
			// base64 values: the Secret's data, as such a map, for `podman secret create`.
			var sec corev1.Secret
			if err := yaml.UnmarshalStrict([]byte(doc), &sec); err != nil {
				return err
			}
			m := map[string]string{}
			for k, v := range sec.Data {
				m[k] = base64.StdEncoding.EncodeToString(v)
			}
			b, err := json.Marshal(m)
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(out, "secret."+sec.Name+".json"), b, 0o600); err != nil {
				return err
			}
		case "Job":
			var j batchv1.Job
			if err := yaml.UnmarshalStrict([]byte(doc), &j); err != nil {
				return err
			}
			pod := corev1.Pod{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
				ObjectMeta: metav1.ObjectMeta{Name: j.Name, Labels: j.Spec.Template.Labels},
				Spec:       j.Spec.Template.Spec,
			}
			if err := write("migrate.yaml", pod); err != nil {
				return err
			}
		}
	}
	return nil
}

// publish gives the named ports (component/port) a hostPort on 127.0.0.1.
func publish(spec *corev1.PodSpec, ports map[string]int32, component string) {
	for i := range spec.Containers {
		for j, p := range spec.Containers[i].Ports {
			if host := ports[component+"/"+p.Name]; host != 0 {
				spec.Containers[i].Ports[j].HostPort, spec.Containers[i].Ports[j].HostIP = host, "127.0.0.1"
			}
		}
	}
}
