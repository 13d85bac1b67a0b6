package dev.fraudscorer.infra;

import dev.fraudscorer.topics.Access;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code java -jar infra/target/infra.jar demo|up}. */
@Command(name = "infra", mixinStandardHelpOptions = true, version = "infra 0.1",
        description = "The local stack (KRaft broker + Apicurio Registry, no Docker) and the end-to-end demo.",
        subcommands = {InfraMain.Up.class, Demo.class, VerifyCommand.class, TopicsCommand.class,
                CommandLine.HelpCommand.class})
public final class InfraMain {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new InfraMain())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler((e, args) -> {
                    e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
                    return 2;
                })
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof IOException || e instanceof IllegalArgumentException) {
                        cmd.getErr().println("error: " + e.getMessage());
                        return 2;
                    }
                    throw e;
                });
    }

    /** Where and on which ports the stack runs. */
    static final class StackOptions {
        @Option(names = "--data-dir", defaultValue = "local-stack", description = "Broker and registry data and logs. Default: ${DEFAULT-VALUE}")
        Path dataDir;
        @Option(names = "--kafka-port", defaultValue = "9092", description = "0 = any free port. Default: ${DEFAULT-VALUE}")
        int kafkaPort;
        @Option(names = "--controller-port", defaultValue = "9093", description = "Default: ${DEFAULT-VALUE}")
        int controllerPort;
        @Option(names = "--registry-port", defaultValue = "8081", description = "Default: ${DEFAULT-VALUE}")
        int registryPort;
        @Option(names = "--registry-management-port", defaultValue = "9001",
                description = "Registry health and metrics. Default: ${DEFAULT-VALUE}")
        int registryManagementPort;
        @Option(names = "--brokers", defaultValue = "1", description = "KRaft nodes, each broker and controller; with 3,"
                + " topics get 3 replicas and min.insync.replicas=2. Node i's ports are the first's + 10*i. Default: ${DEFAULT-VALUE}")
        int brokers;
        @Option(names = "--no-auth", description = "Plain listeners that anyone reaching the port may use, as before;"
                + " by default clients authenticate (SASL/SCRAM-SHA-512) and only what topics/Access grants is allowed")
        boolean noAuth;

        LocalStack.Options toOptions() {
            return new LocalStack.Options(dataDir.toAbsolutePath(), kafkaPort, controllerPort, registryPort,
                    registryManagementPort, brokers, !noAuth);
        }
    }

    static void printConnection(LocalStack stack, String metricsUrl) {
        System.out.println();
        System.out.println("The stack is running. Connect with:");
        System.out.println("  bootstrap.servers     " + stack.bootstrapServers());
        if (stack.secured()) {
            System.out.println("  client credentials    " + stack.clientConfigFile(Access.Role.CONSUMER).getParent()
                    + "/<role>.properties (SASL/SCRAM-SHA-512; roles: " + java.util.Arrays.stream(Access.Role.values())
                    .map(Access.Role::user).collect(java.util.stream.Collectors.joining(", "))
                    + "), e.g. kafka-console-consumer.sh --consumer.config .../consumer.properties --group "
                    + Access.VERDICT_GROUP_PREFIX + "me");
        }
        System.out.println("  apicurio.registry.url " + stack.registryUrl());
        System.out.println("  registry UI           " + stack.registryUiUrl());
        if (metricsUrl != null) {
            System.out.println("  scorer metrics        " + metricsUrl);
        }
        System.out.println("  data and logs         " + stack.dataDir());
        System.out.println("Topics: transactions (in, Avro Transaction keyed by customer id), fraud-verdicts (out,"
                + " read with isolation.level=read_committed), transactions-dlq, fraud-labels, model-registry, model-control.");
        System.out.println("Press Ctrl-C to stop.");
    }

    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Start the broker and the registry, create topics, register schemas, and wait for Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @CommandLine.Mixin
        StackOptions stack;

        @Override
        public Integer call() throws Exception {
            try (LocalStack running = LocalStack.start(stack.toOptions())) {
                printConnection(running, null);
                new CountDownLatch(1).await();
            }
            return 0;
        }
    }
}
