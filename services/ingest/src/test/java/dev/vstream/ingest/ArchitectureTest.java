package dev.vstream.ingest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The ingest service's package boundaries: media code knows no framework, and dependencies point one way. */
@AnalyzeClasses(packages = "dev.vstream.ingest", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule featurePackagesHaveNoCycles = slices().matching("dev.vstream.ingest.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule mediaCodeKnowsNoFramework = noClasses()
            .that().resideInAnyPackage("..ingest.ffmpeg..", "..ingest.source..", "..ingest.sampling..", "..ingest.picture..", "..ingest.sample..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "org.apache.kafka..", "io.micrometer..");

    @ArchTest
    static final ArchRule samplingIsPureJava = noClasses().that().resideInAPackage("..ingest.sampling..")
            .should().dependOnClassesThat().resideInAnyPackage("org.bytedeco..");

    @ArchTest
    static final ArchRule onlyThePublisherTalksToKafka = noClasses()
            .that().resideOutsideOfPackages("..ingest.publish..", "dev.vstream.ingest")
            .should().dependOnClassesThat().resideInAPackage("org.apache.kafka.clients..");

    @ArchTest
    static final ArchRule theWebLayerIsALeaf = noClasses().that().resideOutsideOfPackage("..ingest.web..")
            .should().dependOnClassesThat().resideInAPackage("..ingest.web..");

    @ArchTest
    static final ArchRule streamsDoNotKnowTheWeb = noClasses().that().resideInAPackage("..ingest.stream..")
            .should().dependOnClassesThat().resideInAnyPackage("org.springframework..");
}
