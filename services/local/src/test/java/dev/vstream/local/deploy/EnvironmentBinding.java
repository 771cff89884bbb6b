package dev.vstream.local.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which configuration property an environment variable binds to, decided by Spring Boot's own mapping of
 * environment names ({@code VSTREAM_MEMORY_STATE_DIR} and {@code VSTREAM_MEMORY_STATEDIR} both reach
 * {@code vstream.memory.state-dir}), against a set of known property names.
 */
final class EnvironmentBinding {
    /** Properties that take one value. */
    private final List<ConfigurationPropertyName> values = new ArrayList<>();
    /** Maps, lists and arrays: their elements are named below them. */
    private final List<ConfigurationPropertyName> containers = new ArrayList<>();

    private EnvironmentBinding() {
    }

    /** The properties of @ConfigurationProperties records, named from their record components. */
    static EnvironmentBinding ofRecords(Collection<Class<?>> types) {
        EnvironmentBinding binding = new EnvironmentBinding();
        for (Class<?> type : types) {
            ConfigurationProperties annotation = AnnotationUtils.findAnnotation(type, ConfigurationProperties.class);
            if (annotation == null || !type.isRecord()) {
                throw new AssertionError(type.getName() + " is not a @ConfigurationProperties record");
            }
            binding.addRecord(ConfigurationPropertyName.of(annotation.prefix()), type);
        }
        return binding;
    }

    /** Every property the Spring Boot modules on the classpath document in their configuration metadata. */
    static EnvironmentBinding ofSpringMetadata() {
        EnvironmentBinding binding = new EnvironmentBinding();
        JsonMapper json = JsonMapper.builder().build();
        try {
            for (URL url : Collections.list(EnvironmentBinding.class.getClassLoader()
                    .getResources("META-INF/spring-configuration-metadata.json"))) {
                try (InputStream in = url.openStream()) {
                    for (JsonNode property : json.readTree(in).path("properties")) {
                        ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(property.path("name").asString());
                        if (name != null) {
                            binding.add(name, property.path("type").asString(""));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read Spring configuration metadata", e);
        }
        if (binding.values.isEmpty()) {
            throw new AssertionError("no spring-configuration-metadata.json on the classpath");
        }
        return binding;
    }

    /** The property {@code variable} binds to, if any. */
    Optional<String> propertyOf(String variable) {
        ConfigurationPropertySource source = ConfigurationPropertySource.from(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, Map.of(variable, "value")));
        for (ConfigurationPropertyName name : values) {
            if (source.getConfigurationProperty(name) != null) {
                return Optional.of(name.toString());
            }
        }
        for (ConfigurationPropertyName name : containers) {
            if (source.getConfigurationProperty(name) != null
                    || source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT) {
                return Optional.of(name + ".*");
            }
        }
        return Optional.empty();
    }

    private void addRecord(ConfigurationPropertyName prefix, Class<?> type) {
        for (RecordComponent component : type.getRecordComponents()) {
            ConfigurationPropertyName name = prefix.append(DataObjectPropertyName.toDashedForm(component.getName()));
            Class<?> componentType = component.getType();
            if (componentType.isRecord() && !componentType.getPackageName().startsWith("java.")) {
                addRecord(name, componentType);
            } else {
                add(name, componentType.isArray() || Map.class.isAssignableFrom(componentType)
                        || Collection.class.isAssignableFrom(componentType) ? "java.util.Map" : componentType.getName());
            }
        }
    }

    private void add(ConfigurationPropertyName name, String type) {
        boolean container = type.startsWith("java.util.Map") || type.startsWith("java.util.List")
                || type.startsWith("java.util.Set") || type.startsWith("java.util.Collection") || type.endsWith("[]");
        (container ? containers : values).add(name);
    }
}
