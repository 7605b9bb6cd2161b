package io.recsys.localstack.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.grpc.BindableService;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The layout rules of every module's production code, checked on the compiled classes. */
class ArchitectureTest {

    private static JavaClasses production;

    @BeforeAll
    static void importTheCode() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(
                        "io.recsys.ingestion",
                        "io.recsys.features",
                        "io.recsys.inference",
                        "io.recsys.recommendation",
                        "io.recsys.gateway",
                        "io.recsys.servicekit",
                        "io.recsys.contracts");
    }

    @Test
    void theServicesPackagesDependOnEachOtherWithoutCycles() {
        slices().matching("io.recsys.(*).(*)..").should().beFreeOfCycles().check(production);
    }

    @Test
    void everyServicesGrpcEntryPointsLiveInItsGrpcPackage() {
        classes()
                .that()
                .implement(BindableService.class)
                .and()
                .resideOutsideOfPackage("io.recsys.contracts..")
                .should()
                .resideInAPackage("io.recsys.*.grpc")
                .check(production);
    }
}
