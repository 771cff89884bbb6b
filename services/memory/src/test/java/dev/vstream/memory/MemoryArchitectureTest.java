package dev.vstream.memory;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Package boundaries of the memory service: the topology ({@code intake}) is plain Kafka Streams code that the
 * runtime ({@code streams}) wires into Spring; the HTTP layer ({@code web}) sees the runtime's query, never
 * Kafka itself.
 */
@AnalyzeClasses(packages = "dev.vstream.memory", importOptions = ImportOption.DoNotIncludeTests.class)
class MemoryArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("application").definedBy("dev.vstream.memory")
            .layer("web").definedBy("dev.vstream.memory.web..")
            .layer("streams").definedBy("dev.vstream.memory.streams..")
            .layer("intake").definedBy("dev.vstream.memory.intake..")
            .whereLayer("web").mayOnlyBeAccessedByLayers("application")
            .whereLayer("streams").mayOnlyBeAccessedByLayers("web", "application")
            .whereLayer("intake").mayOnlyBeAccessedByLayers("streams", "web", "application");

    @ArchTest
    static final ArchRule topologyHasNoSpring = noClasses().that().resideInAPackage("dev.vstream.memory.intake..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..")
            .because("the topology is tested with TopologyTestDriver alone and must not need a Spring context");

    @ArchTest
    static final ArchRule memoryModelAndSnapshotsHaveNoSpring = noClasses().that()
            .resideInAnyPackage("dev.vstream.memory.encoder..", "dev.vstream.memory.snapshot..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta.servlet..",
                    "dev.vstream.memory.streams..", "dev.vstream.memory.web..", "dev.vstream.memory.intake..")
            .because("the encoder and the snapshot format are used by the topology, tested without Spring");

    @ArchTest
    static final ArchRule webDoesNotTalkToKafka = noClasses().that().resideInAPackage("dev.vstream.memory.web..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka..")
            .because("HTTP handlers read the intake through FrameIntakeQuery, which owns the Kafka Streams client");

    @ArchTest
    static final ArchRule topologyDoesNotReachUp = noClasses().that().resideInAPackage("dev.vstream.memory.intake..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.vstream.memory.streams..", "dev.vstream.memory.web..");

    @ArchTest
    static final ArchRule talksToOtherServicesOnlyOverTheWire = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.vstream.ingest..", "dev.vstream.qa..", "dev.vstream.local..")
            .because("services share only the wire contracts of dev.vstream.api: Kafka topics and HTTP");
}
