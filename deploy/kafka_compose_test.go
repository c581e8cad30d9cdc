package deploy

import (
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"mari/events"
	"mari/kafkaingest"
)

// oneShot reports whether s runs once to completion (the app waits for it to exit 0) rather
// than serving: such a service has nothing to health-check.
func oneShot(p *types.Project, s types.ServiceConfig) bool {
	for _, other := range p.Services {
		if d, ok := other.DependsOn[s.Name]; ok && d.Condition == types.ServiceConditionCompletedSuccessfully {
			return true
		}
	}
	return false
}

// Kafka runs in KRaft mode: the broker is its own controller and nothing refers to ZooKeeper.
func TestComposeKafkaRunsWithoutZooKeeper(t *testing.T) {
	p := mustLoadCompose(t)
	kafka := service(t, p, "kafka")
	roles := strings.Split(env(kafka, "KAFKA_PROCESS_ROLES"), ",")
	if !slices.Contains(roles, "broker") || !slices.Contains(roles, "controller") {
		t.Errorf("KAFKA_PROCESS_ROLES = %q, want broker,controller (KRaft)", env(kafka, "KAFKA_PROCESS_ROLES"))
	}
	voters := env(kafka, "KAFKA_CONTROLLER_QUORUM_VOTERS")
	if !strings.HasPrefix(voters, env(kafka, "KAFKA_NODE_ID")+"@kafka:") {
		t.Errorf("KAFKA_CONTROLLER_QUORUM_VOTERS = %q, want this node (id %q) on kafka", voters, env(kafka, "KAFKA_NODE_ID"))
	}
	if env(kafka, "CLUSTER_ID") == "" {
		t.Error("CLUSTER_ID is not set: KRaft storage is formatted with it")
	}
	for _, s := range p.Services {
		if strings.Contains(strings.ToLower(s.Image), "zookeeper") {
			t.Errorf("service %s runs %s", s.Name, s.Image)
		}
		for k, v := range s.Environment {
			if strings.Contains(strings.ToLower(k), "zookeeper") || (v != nil && strings.Contains(*v, ":2181")) {
				t.Errorf("service %s: %s refers to ZooKeeper", s.Name, k)
			}
		}
	}
	if !slices.ContainsFunc(kafka.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Type == types.VolumeTypeVolume && v.Target == env(kafka, "KAFKA_LOG_DIRS")
	}) {
		t.Errorf("KAFKA_LOG_DIRS %q is not on a named volume (volumes %+v): topics would go with the container",
			env(kafka, "KAFKA_LOG_DIRS"), kafka.Volumes)
	}
}

// The app is pointed at the address the broker advertises, and starts only once Kafka is
// healthy and its topics exist.
func TestComposeAppConsumesTheKafkaService(t *testing.T) {
	p := mustLoadCompose(t)
	app, kafka := service(t, p, "app"), service(t, p, "kafka")
	brokers := kafkaingest.Brokers(env(app, "MARI_KAFKA_BROKERS"))
	if len(brokers) == 0 {
		t.Fatal("the app has no MARI_KAFKA_BROKERS")
	}
	var advertised []string
	for _, l := range strings.Split(env(kafka, "KAFKA_ADVERTISED_LISTENERS"), ",") {
		if _, addr, ok := strings.Cut(l, "://"); ok {
			advertised = append(advertised, addr)
		}
	}
	listening := env(kafka, "KAFKA_LISTENERS")
	for _, b := range brokers {
		host, port, err := net.SplitHostPort(b)
		if err != nil {
			t.Errorf("MARI_KAFKA_BROKERS %q: %v", b, err)
			continue
		}
		if host != "kafka" || !slices.Contains(advertised, b) {
			t.Errorf("app broker %s: not the kafka service's advertised listener %v", b, advertised)
		}
		if !strings.Contains(listening, ":"+port) {
			t.Errorf("app broker %s: kafka listens on %q, not that port", b, listening)
		}
	}
	if d := app.DependsOn["kafka"]; d.Condition != types.ServiceConditionHealthy {
		t.Errorf("app depends on kafka with %q, want service_healthy", d.Condition)
	}
	if d := app.DependsOn["kafka-topics"]; d.Condition != types.ServiceConditionCompletedSuccessfully {
		t.Errorf("app depends on kafka-topics with %q, want service_completed_successfully", d.Condition)
	}
}

// Every topic the consumers read, and each one's dead-letter topic, is created before the app
// starts (the broker creates none by itself).
func TestComposeCreatesEveryEventTopic(t *testing.T) {
	p := mustLoadCompose(t)
	if v := env(service(t, p, "kafka"), "KAFKA_AUTO_CREATE_TOPICS_ENABLE"); v != "false" {
		t.Errorf("KAFKA_AUTO_CREATE_TOPICS_ENABLE = %q, want false: kafka-topics makes them", v)
	}
	init := service(t, p, "kafka-topics")
	script := strings.Join(append(append([]string{}, init.Entrypoint...), init.Command...), " ")
	if !strings.Contains(script, "kafka-topics.sh") || !strings.Contains(script, "--if-not-exists") {
		t.Fatalf("kafka-topics does not run kafka-topics.sh --create --if-not-exists: %s", script)
	}
	if !strings.Contains(script, "kafka:9092") {
		t.Errorf("kafka-topics does not reach the broker at kafka:9092: %s", script)
	}
	// One loop over the topics creates each, "$t", and its dead-letter topic, "$t.dlq".
	m := regexp.MustCompile(`for t in ([^;]+); do`).FindStringSubmatch(script)
	if m == nil {
		t.Fatalf("kafka-topics has no loop over the topics: %s", script)
	}
	created := strings.Fields(m[1])
	for _, topic := range events.Topics {
		if !slices.Contains(created, string(topic)) {
			t.Errorf("topic %s is not created (the loop makes %v)", topic, created)
		}
		if dlq := topic.DeadLetterTopic(); dlq != string(topic)+".dlq" {
			t.Errorf("the consumers dead-letter %s to %s, but the loop makes $t.dlq", topic, dlq)
		}
	}
	for _, arg := range []string{`--topic "$t" `, `--topic "$t.dlq" `} {
		if !strings.Contains(script, arg) {
			t.Errorf("the loop does not run kafka-topics.sh with %s: %s", arg, script)
		}
	}
}
