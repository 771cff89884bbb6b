package dev.vstream.local.deploy;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** docker-compose.yml and every document of every k8s/*.yaml, parsed, with the few look-ups the test needs. */
final class Manifests {
    static final List<String> WORKLOAD_KINDS = List.of("Deployment", "StatefulSet", "DaemonSet", "Job");

    /** One Kubernetes object and the file it came from. */
    record Resource(Path file, Map<String, Object> body) {
        String kind() {
            return (String) body.get("kind");
        }

        String name() {
            return (String) map(body.get("metadata")).get("name");
        }

        @Override
        public String toString() {
            return file.getFileName() + " " + kind() + "/" + name();
        }
    }

    final Path repository;
    final Map<String, Object> compose;
    final List<Resource> kubernetes;
    final List<Path> kubernetesFiles;

    private Manifests(Path repository, Map<String, Object> compose, List<Resource> kubernetes, List<Path> kubernetesFiles) {
        this.repository = repository;
        this.compose = compose;
        this.kubernetes = kubernetes;
        this.kubernetesFiles = kubernetesFiles;
    }

    static Manifests load(Path repository) throws IOException {
        Map<String, Object> compose = map(loadAll(repository.resolve("docker-compose.yml")).getFirst());
        List<Path> files;
        try (Stream<Path> listing = Files.list(repository.resolve("k8s"))) {
            files = listing.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml")).sorted().toList();
        }
        List<Resource> resources = new ArrayList<>();
        for (Path file : files) {
            for (Object document : loadAll(file)) {
                resources.add(new Resource(file, map(document)));
            }
        }
        return new Manifests(repository, compose, List.copyOf(resources), files);
    }

    /** The repository root: the nearest folder above the working directory that holds docker-compose.yml and k8s/. */
    static Path findRepository() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("docker-compose.yml")) && Files.isDirectory(dir.resolve("k8s"))) {
                return dir;
            }
        }
        throw new AssertionError("no docker-compose.yml with a k8s/ folder beside it above " + Path.of("").toAbsolutePath());
    }

    Map<String, Object> composeServices() {
        return map(compose.get("services"));
    }

    Optional<Map<String, Object>> composeService(String name) {
        return Optional.ofNullable(composeServices().get(name)).map(Manifests::map);
    }

    /** The environment of a compose service, in either of compose's two notations. */
    static Map<String, String> composeEnvironment(Map<String, Object> service) {
        Map<String, String> env = new LinkedHashMap<>();
        Object environment = service.get("environment");
        if (environment instanceof Map<?, ?> m) {
            m.forEach((k, v) -> env.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        } else if (environment instanceof List<?> l) {
            for (Object entry : l) {
                String s = String.valueOf(entry);
                int eq = s.indexOf('=');
                env.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? null : s.substring(eq + 1));
            }
        }
        return env;
    }

    List<Resource> ofKind(String... kinds) {
        List<String> wanted = List.of(kinds);
        return kubernetes.stream().filter(r -> wanted.contains(r.kind())).toList();
    }

    Optional<Resource> workload(String name) {
        return ofKind(WORKLOAD_KINDS.toArray(String[]::new)).stream().filter(r -> r.name().equals(name)).findFirst();
    }

    Optional<Resource> find(String kind, String name) {
        return ofKind(kind).stream().filter(r -> r.name().equals(name)).findFirst();
    }

    static Map<String, Object> podSpec(Resource workload) {
        return map(map(map(workload.body().get("spec")).get("template")).get("spec"));
    }

    static List<Map<String, Object>> containers(Resource workload) {
        return list(podSpec(workload).get("containers")).stream().map(Manifests::map).toList();
    }

    /** A container's environment: its env entries and the data of the ConfigMaps it takes whole (envFrom). */
    Map<String, String> environment(Resource workload, Map<String, Object> container, List<String> problems) {
        Map<String, String> env = new LinkedHashMap<>();
        for (Object from : list(container.get("envFrom"))) {
            Map<String, Object> source = map(from);
            if (source.containsKey("configMapRef")) {
                String name = (String) map(source.get("configMapRef")).get("name");
                Optional<Resource> configMap = find("ConfigMap", name);
                if (configMap.isEmpty()) {
                    problems.add(workload + ": envFrom ConfigMap '" + name + "' is defined in no k8s/*.yaml");
                } else {
                    map(configMap.get().body().get("data")).forEach((k, v) -> env.put(k, String.valueOf(v)));
                }
            }
        }
        for (Object entry : list(container.get("env"))) {
            Map<String, Object> variable = map(entry);
            env.put((String) variable.get("name"), variable.get("value") == null ? null : String.valueOf(variable.get("value")));
        }
        return env;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }

    private static List<Object> loadAll(Path file) throws IOException {
        List<Object> documents = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(file)) {
            for (Object document : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(in)) {
                if (document != null) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }
}
