package dev.vstream.qa;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The QA service's boundaries: it reaches the other services only through the wire contracts. */
@AnalyzeClasses(packages = "dev.vstream.qa", importOptions = ImportOption.DoNotIncludeTests.class)
class QaArchitectureTest {

    @ArchTest
    static final ArchRule talksToOtherServicesOnlyOverTheWire = noClasses().should().dependOnClassesThat()
            .resideInAnyPackage("dev.vstream.ingest..", "dev.vstream.memory..", "dev.vstream.local..")
            .because("services share only the wire contracts of dev.vstream.api: Kafka topics and HTTP");
}
