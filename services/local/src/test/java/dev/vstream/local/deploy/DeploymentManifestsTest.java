package dev.vstream.local.deploy;

import static dev.vstream.local.deploy.Manifests.list;
import static dev.vstream.local.deploy.Manifests.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vstream.api.topic.TopicSpec;
import dev.vstream.api.topic.Topics;
import dev.vstream.ingest.IngestApplication;
import dev.vstream.local.deploy.Manifests.Resource;
import dev.vstream.memory.MemoryApplication;
import dev.vstream.qa.QaApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docker-compose.yml and k8s/ against the code they deploy: every VSTREAM_ and Spring variable binds to a real
 * property, every port and probe is the service's server.port, the topic-init step creates exactly
 * {@link Topics#ALL}, and the images are the ones Jib builds. Each test lists every disagreement it finds.
 */
class DeploymentManifestsTest {
    /** The deployed services by their name in the manifests (and their folder under services/). */
    private static final Map<String, Class<?>> APPLICATIONS = new LinkedHashMap<>(Map.of(
            "ingest", IngestApplication.class, "memory", MemoryApplication.class, "qa", QaApplication.class));
    /** Variables the JVM itself reads. */
    private static final Set<String> JVM_VARIABLES = Set.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");
    /** Prefixes of environment variables that Spring Boot binds to its own properties. */
    private static final List<String> SPRING_PREFIXES = List.of("SPRING_", "SERVER_", "MANAGEMENT_", "LOGGING_");
    private static final String LIVENESS = "/actuator/health/liveness";
    private static final String READINESS = "/actuator/health/readiness";

    private static Manifests manifests;
    private static List<ServiceUnderTest> services;
    private static EnvironmentBinding spring;

    @BeforeAll
    static void load() throws Exception {
        manifests = Manifests.load(Manifests.findRepository());
        services = APPLICATIONS.entrySet().stream()
                .map(e -> ServiceUnderTest.load(manifests.repository, e.getKey(), e.getValue())).toList();
        spring = EnvironmentBinding.ofSpringMetadata();
    }

    @Test
    void everyServiceIsDeployedByComposeAndKubernetes() {
        List<String> problems = new ArrayList<>();
        for (ServiceUnderTest service : services) {
            if (manifests.composeService(service.name()).isEmpty()) {
                problems.add("docker-compose.yml has no service '" + service.name() + "'");
            }
            if (manifests.workload(service.name()).isEmpty()) {
                problems.add("k8s/ has no Deployment or StatefulSet named '" + service.name() + "'");
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void environmentBindsToTheServicesProperties() {
        List<String> problems = new ArrayList<>();
        for (ServiceUnderTest service : services) {
            EnvironmentBinding own = EnvironmentBinding.ofRecords(service.propertiesTypes());
            manifests.composeService(service.name()).ifPresent(compose -> checkEnvironment(
                    "docker-compose.yml " + service.name(), service, own, Manifests.composeEnvironment(compose), problems));
            manifests.workload(service.name()).ifPresent(workload -> {
                for (Map<String, Object> container : Manifests.containers(workload)) {
                    checkEnvironment(workload.toString(), service, own, manifests.environment(workload, container, problems), problems);
                }
            });
        }
        assertNoProblems(problems);
    }

    @Test
    void portsAndHealthChecksAreTheServicesServerPort() {
        List<String> problems = new ArrayList<>();
        for (ServiceUnderTest service : services) {
            manifests.composeService(service.name()).ifPresent(compose -> checkComposePorts(service, compose, problems));
            manifests.workload(service.name()).ifPresent(workload -> checkKubernetesPorts(service, workload, problems));
        }
        assertNoProblems(problems);
    }

    @Test
    void topicInitCreatesExactlyTheTopicsOfTheCode() {
        List<String> problems = new ArrayList<>();
        Map<String, String> scripts = new LinkedHashMap<>();
        manifests.composeServices().forEach((name, service) -> {
            String script = commandText(map(service).get("entrypoint"), map(service).get("command"));
            if (createsTopics(script)) {
                scripts.put("docker-compose.yml " + name, script);
            }
        });
        int composeScripts = scripts.size();
        for (Resource workload : manifests.ofKind(Manifests.WORKLOAD_KINDS.toArray(String[]::new))) {
            for (Map<String, Object> container : Manifests.containers(workload)) {
                String script = commandText(container.get("command"), container.get("args"));
                if (createsTopics(script)) {
                    scripts.put(workload.toString(), script);
                }
            }
        }
        if (composeScripts == 0) {
            problems.add("no service in docker-compose.yml creates topics with kafka-topics.sh --create");
        }
        if (scripts.size() == composeScripts) {
            problems.add("no Job in k8s/ creates topics with kafka-topics.sh --create");
        }
        Map<String, TopicSpec> expected = Topics.ALL.stream().collect(Collectors.toMap(TopicSpec::name, t -> t));
        scripts.forEach((where, script) -> checkTopics(where, parseTopicCreations(script), expected, problems));
        assertNoProblems(problems);
    }

    @Test
    void imagesAreTheOnesJibBuilds() {
        List<String> problems = new ArrayList<>();
        for (ServiceUnderTest service : services) {
            manifests.composeService(service.name()).ifPresent(compose -> {
                if (!service.image().equals(compose.get("image"))) {
                    problems.add("docker-compose.yml " + service.name() + ": image " + compose.get("image")
                            + ", Jib builds " + service.image());
                }
            });
            manifests.workload(service.name()).ifPresent(workload -> {
                for (Map<String, Object> container : Manifests.containers(workload)) {
                    if (!service.image().equals(container.get("image"))) {
                        problems.add(workload + ": image " + container.get("image") + ", Jib builds " + service.image());
                    }
                }
            });
        }
        assertNoProblems(problems);
    }

    @Test
    void jibContainerSettingsAreTheServices() {
        List<String> problems = new ArrayList<>();
        for (ServiceUnderTest service : services) {
            String pom = "services/" + service.name() + "/pom.xml";
            if (service.jibMainClass() == null && service.jibPorts().isEmpty()) {
                continue; // nothing declared, nothing to disagree: Jib finds the main class itself and exposes no port
            }
            if (!service.application().getName().equals(service.jibMainClass())) {
                problems.add(pom + ": Jib <container><mainClass> is " + service.jibMainClass() + ", the application is "
                        + service.application().getName());
            }
            if (!service.jibPorts().equals(List.of(service.serverPort()))) {
                problems.add(pom + ": Jib <container><ports> are " + service.jibPorts() + ", server.port is " + service.serverPort());
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void kustomizationCoversEveryManifestAndItsPatchesHitSomething() {
        List<String> problems = new ArrayList<>();
        List<Resource> kustomizations = manifests.kubernetes.stream()
                .filter(r -> "Kustomization".equals(r.body().get("kind"))).toList();
        assertThat(kustomizations).as("k8s/kustomization.yaml").hasSize(1);
        Map<String, Object> kustomization = kustomizations.getFirst().body();
        Set<String> listed = new TreeSet<>(list(kustomization.get("resources")).stream().map(String::valueOf).toList());
        Set<String> present = new TreeSet<>(manifests.kubernetesFiles.stream().map(f -> f.getFileName().toString())
                .filter(f -> !f.startsWith("kustomization.")).toList());
        if (!listed.equals(present)) {
            problems.add("kustomization.yaml resources " + listed + " but k8s/ holds " + present);
        }
        for (Object patch : list(kustomization.get("patches"))) {
            String selector = (String) map(map(patch).get("target")).get("labelSelector");
            if (selector == null) {
                continue;
            }
            String[] pair = selector.split("=", 2);
            boolean hits = manifests.kubernetes.stream().anyMatch(r -> pair.length == 2
                    && pair[1].equals(map(map(r.body().get("metadata")).get("labels")).get(pair[0])));
            if (!hits) {
                problems.add("kustomization.yaml patch for labelSelector " + selector + " matches no resource");
            }
        }
        assertNoProblems(problems);
    }

    private static void checkEnvironment(String where, ServiceUnderTest service, EnvironmentBinding own,
                                         Map<String, String> env, List<String> problems) {
        for (Map.Entry<String, String> variable : env.entrySet()) {
            String name = variable.getKey();
            if (name.startsWith("VSTREAM_")) {
                if (own.propertyOf(name).isEmpty()) {
                    problems.add(where + ": " + name + " binds to no component of "
                            + service.propertiesTypes().stream().map(Class::getSimpleName).toList());
                }
            } else if (SPRING_PREFIXES.stream().anyMatch(name::startsWith)) {
                var property = spring.propertyOf(name);
                if (property.isEmpty()) {
                    problems.add(where + ": " + name + " is no Spring Boot property");
                } else if (property.get().equals("server.port") && !String.valueOf(service.serverPort()).equals(variable.getValue())) {
                    problems.add(where + ": " + name + "=" + variable.getValue() + " moves the service off its server.port "
                            + service.serverPort() + ", which the ports and probes use");
                }
            } else if (!JVM_VARIABLES.contains(name) && env.values().stream().noneMatch(
                    v -> v != null && v.contains("$(" + name + ")"))) {
                problems.add(where + ": " + name + " is neither a VSTREAM_ or Spring setting nor used by another variable");
            }
        }
    }

    private static void checkComposePorts(ServiceUnderTest service, Map<String, Object> compose, List<String> problems) {
        String where = "docker-compose.yml " + service.name();
        for (Object port : list(compose.get("ports"))) {
            String target = port instanceof Map<?, ?> m ? String.valueOf(m.get("target")) : String.valueOf(port);
            target = target.substring(target.lastIndexOf(':') + 1).replaceAll("/.*", "");
            if (!target.equals(String.valueOf(service.serverPort()))) {
                problems.add(where + ": container port " + target + " in ports, server.port is " + service.serverPort());
            }
        }
        Object test = map(compose.get("healthcheck")).get("test");
        String check = test instanceof List<?> l ? l.stream().map(String::valueOf).collect(Collectors.joining(" ")) : String.valueOf(test);
        if (!check.contains(READINESS)) {
            problems.add(where + ": the healthcheck does not ask " + READINESS + ": " + check);
        }
        List<String> ports = allGroups(Pattern.compile("/dev/tcp/[^/\\s]+/(\\d+)|https?://[^/:\\s]+:(\\d+)"), check);
        if (ports.isEmpty() || !ports.stream().allMatch(p -> p.equals(String.valueOf(service.serverPort())))) {
            problems.add(where + ": the healthcheck goes to port(s) " + ports + ", server.port is " + service.serverPort());
        }
    }

    private static void checkKubernetesPorts(ServiceUnderTest service, Resource workload, List<String> problems) {
        Map<String, Object> podLabels = map(map(map(map(workload.body().get("spec")).get("template")).get("metadata")).get("labels"));
        Map<String, Integer> named = new HashMap<>();
        for (Map<String, Object> container : Manifests.containers(workload)) {
            for (Object p : list(container.get("ports"))) {
                int port = ((Number) map(p).get("containerPort")).intValue();
                if (map(p).get("name") != null) {
                    named.put((String) map(p).get("name"), port);
                }
                if (port != service.serverPort()) {
                    problems.add(workload + ": containerPort " + port + ", server.port is " + service.serverPort());
                }
            }
            if (list(container.get("ports")).isEmpty()) {
                problems.add(workload + ": container " + container.get("name") + " declares no port");
            }
            checkProbe(workload, container, "livenessProbe", LIVENESS, named, service, problems);
            checkProbe(workload, container, "readinessProbe", READINESS, named, service, problems);
            if (container.containsKey("startupProbe")) {
                checkProbe(workload, container, "startupProbe", null, named, service, problems);
            }
        }
        for (Resource k8sService : manifests.ofKind("Service")) {
            Map<String, Object> spec = map(k8sService.body().get("spec"));
            Map<String, Object> selector = map(spec.get("selector"));
            if (selector.isEmpty() || !podLabels.entrySet().containsAll(selector.entrySet())) {
                continue;
            }
            for (Object p : list(spec.get("ports"))) {
                Object target = map(p).getOrDefault("targetPort", map(p).get("port"));
                Integer port = target instanceof Number n ? Integer.valueOf(n.intValue()) : named.get(String.valueOf(target));
                if (!Objects.equals(port, service.serverPort())) {
                    problems.add(k8sService + ": targetPort " + target + " reaches " + port + ", server.port of "
                            + service.name() + " is " + service.serverPort());
                }
            }
        }
    }

    private static void checkProbe(Resource workload, Map<String, Object> container, String probeName, String path,
                                   Map<String, Integer> namedPorts, ServiceUnderTest service, List<String> problems) {
        Map<String, Object> httpGet = map(map(container.get(probeName)).get("httpGet"));
        String where = workload + " " + probeName;
        if (httpGet.isEmpty()) {
            problems.add(where + ": missing, or not an httpGet probe");
            return;
        }
        String actual = String.valueOf(httpGet.get("path"));
        if (path != null ? !path.equals(actual) : !actual.startsWith("/actuator/health")) {
            problems.add(where + ": path " + actual + ", expected " + (path != null ? path : "an /actuator/health group"));
        }
        Object port = httpGet.get("port");
        Integer resolved = port instanceof Number n ? Integer.valueOf(n.intValue()) : namedPorts.get(String.valueOf(port));
        if (!Objects.equals(resolved, service.serverPort())) {
            problems.add(where + ": port " + port + " is " + resolved + ", server.port is " + service.serverPort());
        }
    }

    private static void checkTopics(String where, Map<String, TopicCreation> created, Map<String, TopicSpec> expected,
                                    List<String> problems) {
        for (TopicSpec spec : expected.values()) {
            TopicCreation creation = created.get(spec.name());
            if (creation == null) {
                problems.add(where + ": does not create " + spec.name());
                continue;
            }
            if (creation.partitions() != spec.partitions()) {
                problems.add(where + ": " + spec.name() + " with " + creation.partitions() + " partitions, TopicSpec says "
                        + spec.partitions());
            }
            if (!creation.configs().equals(new TreeMap<>(spec.kafkaConfigs()))) {
                problems.add(where + ": " + spec.name() + " with configs " + creation.configs() + ", TopicSpec says "
                        + new TreeMap<>(spec.kafkaConfigs()));
            }
        }
        for (String name : created.keySet()) {
            if (!expected.containsKey(name)) {
                problems.add(where + ": creates " + name + ", which is not in Topics.ALL");
            }
        }
    }

    /** A topic as one kafka-topics.sh --create line makes it. */
    record TopicCreation(int partitions, Map<String, String> configs) {
    }

    static Map<String, TopicCreation> parseTopicCreations(String script) {
        Map<String, TopicCreation> topics = new LinkedHashMap<>();
        for (String line : script.replace("\\\n", " ").split("\n")) {
            if (!createsTopics(line)) {
                continue;
            }
            String[] tokens = line.strip().replace("\"", "").replace("'", "").split("\\s+");
            String topic = null;
            int partitions = -1;
            Map<String, String> configs = new TreeMap<>();
            for (int i = 0; i < tokens.length - 1; i++) {
                switch (tokens[i]) {
                    case "--topic" -> topic = tokens[++i];
                    case "--partitions" -> partitions = Integer.parseInt(tokens[++i]);
                    case "--config" -> {
                        String[] kv = tokens[++i].split("=", 2);
                        configs.put(kv[0], kv.length > 1 ? kv[1] : "");
                    }
                    default -> {
                    }
                }
            }
            topics.put(topic, new TopicCreation(partitions, configs));
        }
        return topics;
    }

    private static boolean createsTopics(String script) {
        return script.contains("kafka-topics.sh") && script.contains("--create");
    }

    private static String commandText(Object... parts) {
        StringBuilder text = new StringBuilder();
        for (Object part : parts) {
            if (part instanceof List<?> l) {
                l.forEach(p -> text.append(p).append('\n'));
            } else if (part != null) {
                text.append(part).append('\n');
            }
        }
        return text.toString();
    }

    private static List<String> allGroups(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.group(g) != null) {
                    found.add(m.group(g));
                }
            }
        }
        return found;
    }

    private static void assertNoProblems(List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " disagreement(s) between the deployment manifests and the code:\n  "
                    + String.join("\n  ", problems));
        }
    }
}
