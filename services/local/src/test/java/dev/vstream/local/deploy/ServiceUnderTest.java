package dev.vstream.local.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.xml.parsers.DocumentBuilderFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What a deployment must agree with, read from a service's code and build rather than written down twice:
 * its {@code @ConfigurationProperties} records (found by scanning its package), its HTTP port (server.port in
 * the config file its application class names), and its image and container settings (the Jib configuration of
 * the root pom and of the service's pom).
 *
 * @param name             the service's name in docker-compose.yml and k8s/ (also its folder under services/)
 * @param application      its Spring Boot application class
 * @param propertiesTypes  every @ConfigurationProperties record in its package tree
 * @param serverPort       server.port of its config file
 * @param image            the image Jib builds for it
 * @param jibMainClass     container main class in its pom's Jib configuration, null if none
 * @param jibPorts         container ports in its pom's Jib configuration
 */
record ServiceUnderTest(String name, Class<?> application, List<Class<?>> propertiesTypes, int serverPort, String image,
                        String jibMainClass, List<Integer> jibPorts) {

    static ServiceUnderTest load(Path repository, String name, Class<?> application) {
        Path module = repository.resolve("services").resolve(name);
        int port = serverPort(module, configName(application));
        Document rootPom = xml(repository.resolve("pom.xml"));
        Document pom = xml(module.resolve("pom.xml"));
        Element jib = jibPlugin(pom.getDocumentElement().getElementsByTagName("plugins"));
        String mainClass = jib == null ? null : text(jib, "mainClass");
        List<Integer> ports = new ArrayList<>();
        if (jib != null) {
            var portElements = jib.getElementsByTagName("port");
            for (int i = 0; i < portElements.getLength(); i++) {
                ports.add(Integer.parseInt(portElements.item(i).getTextContent().strip()));
            }
        }
        return new ServiceUnderTest(name, application, propertiesTypes(application), port,
                jibImage(rootPom, child(pom.getDocumentElement(), "artifactId")), mainClass, List.copyOf(ports));
    }

    /** {@code spring.config.name} as the application sets it (its CONFIG_NAME constant), else "application". */
    private static String configName(Class<?> application) {
        try {
            Field field = application.getField("CONFIG_NAME");
            String setting = (String) field.get(null);
            return setting.substring(setting.indexOf('=') + 1).strip();
        } catch (NoSuchFieldException e) {
            return "application";
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int serverPort(Path module, String configName) {
        Path resources = module.resolve("src/main/resources");
        Properties properties = new Properties();
        for (String extension : List.of(".yaml", ".yml")) {
            Path file = resources.resolve(configName + extension);
            if (Files.exists(file)) {
                YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
                yaml.setResources(new FileSystemResource(file));
                properties.putAll(yaml.getObject());
            }
        }
        Path file = resources.resolve(configName + ".properties");
        if (Files.exists(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        if (!properties.containsKey("server.port")) {
            throw new AssertionError(module + ": no server.port in " + resources.resolve(configName) + ".{yaml,yml,properties}");
        }
        return Integer.parseInt(String.valueOf(properties.get("server.port")).strip());
    }

    private static List<Class<?>> propertiesTypes(Class<?> application) {
        ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false);
        scanner.addIncludeFilter(new AnnotationTypeFilter(ConfigurationProperties.class));
        List<Class<?>> types = new ArrayList<>();
        for (BeanDefinition candidate : scanner.findCandidateComponents(application.getPackageName())) {
            try {
                types.add(Class.forName(candidate.getBeanClassName()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
        }
        if (types.isEmpty()) {
            throw new AssertionError(application.getPackageName() + " has no @ConfigurationProperties record");
        }
        return List.copyOf(types);
    }

    /** The root pom's Jib {@code <to><image>} with this module's coordinates put in. */
    private static String jibImage(Document rootPom, String artifactId) {
        Element root = rootPom.getDocumentElement();
        Element jib = jibPlugin(root.getElementsByTagName("plugins"));
        if (jib == null) {
            throw new AssertionError("the root pom configures no jib-maven-plugin");
        }
        Element to = (Element) jib.getElementsByTagName("to").item(0);
        String template = text(to, "image");
        Map<String, String> values = Map.of("project.artifactId", artifactId, "project.version", child(root, "version"),
                "image.registry", text(childElement(root, "properties"), "image.registry"));
        String image = template;
        for (var value : values.entrySet()) {
            image = image.replace("${" + value.getKey() + "}", value.getValue());
        }
        if (image.contains("${")) {
            throw new AssertionError("unresolved property in the Jib image " + template);
        }
        return image;
    }

    private static Element jibPlugin(org.w3c.dom.NodeList pluginLists) {
        for (int i = 0; i < pluginLists.getLength(); i++) {
            for (Node plugin = pluginLists.item(i).getFirstChild(); plugin != null; plugin = plugin.getNextSibling()) {
                if (plugin instanceof Element e && "jib-maven-plugin".equals(child(e, "artifactId"))) {
                    Element configuration = childElement(e, "configuration");
                    if (configuration != null) {
                        return configuration;
                    }
                }
            }
        }
        return null;
    }

    private static String child(Element parent, String name) {
        Element e = childElement(parent, name);
        return e == null ? null : e.getTextContent().strip();
    }

    private static Element childElement(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getTagName().equals(name)) {
                return e;
            }
        }
        return null;
    }

    private static String text(Element parent, String descendant) {
        var nodes = parent.getElementsByTagName(descendant);
        return nodes.getLength() == 0 ? null : nodes.item(0).getTextContent().strip();
    }

    private static Document xml(Path file) {
        try {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }
}
