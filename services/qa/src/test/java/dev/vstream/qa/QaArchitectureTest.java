package dev.vstream.qa;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The QA service's boundaries: other services only over the wire; the engine knows nothing of its callers. */
@AnalyzeClasses(packages = "dev.vstream.qa", importOptions = ImportOption.DoNotIncludeTests.class)
class QaArchitectureTest {

    @ArchTest
    static final ArchRule talksToOtherServicesOnlyOverTheWire = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.vstream.ingest..", "dev.vstream.memory..", "dev.vstream.local..")
            .because("services share only the wire contracts of dev.vstream.api: Kafka topics and HTTP");

    @ArchTest
    static final ArchRule engineAndMemoryViewKnowNoTransport = noClasses()
            .that().resideInAnyPackage("dev.vstream.qa.answer..", "dev.vstream.qa.memory..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.vstream.qa.web..", "dev.vstream.qa.kafka..",
                    "org.springframework..")
            .because("answering is plain Java; REST and Kafka are thin adapters around it");

    @ArchTest
    static final ArchRule adaptersDoNotTouchTheModel = noClasses()
            .that().resideInAnyPackage("dev.vstream.qa.web..", "dev.vstream.qa.kafka..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.vstream.model..", "dev.vstream.kernels..")
            .because("only the answer engine runs the language model");
}
