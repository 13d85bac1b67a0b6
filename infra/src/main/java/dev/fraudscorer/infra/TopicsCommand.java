package dev.fraudscorer.infra;

import dev.fraudscorer.topics.Access;
import dev.fraudscorer.topics.AclApplier;
import dev.fraudscorer.topics.StrimziRender;
import dev.fraudscorer.topics.TopicApplier;
import dev.fraudscorer.topics.Topics;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code infra topics apply | render --strimzi}: the catalogue and its access declaration on any cluster. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "The topic catalogue and who may use it (topics/Topics, topics/Access), applied or rendered.",
        subcommands = {TopicsCommand.Apply.class, TopicsCommand.Render.class})
final class TopicsCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true, description = {"Create missing topics and ACLs; report"
            + " drift (topics or ACLs that differ from the declaration) without changing it. Exits 3 on drift.",
            "Run as a super user of an authorizing cluster; --no-acls on a cluster without an authorizer."})
    static final class Apply implements Callable<Integer> {
        @Option(names = "--bootstrap-servers", defaultValue = "127.0.0.1:9092", description = "Default: ${DEFAULT-VALUE}")
        String bootstrap;
        @Option(names = "--command-config", paramLabel = "FILE", description = "Admin client settings (SASL"
                + " credentials of a super user; the local stack's are <data-dir>/credentials/admin.properties)")
        Path commandConfig;
        @Option(names = "--no-acls", description = "Topics only")
        boolean noAcls;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            final Map<String, Object> config = new HashMap<>();
            if (commandConfig != null) {
                config.putAll(Credentials.read(commandConfig));
            }
            config.put("bootstrap.servers", bootstrap);
            try (Admin admin = Admin.create(config)) {
                final TopicApplier.Report topics = TopicApplier.forCluster(admin).apply(Topics.all());
                spec.commandLine().getOut().print(topics);
                boolean drift = topics.hasDrift();
                if (!noAcls) {
                    final AclApplier.Report acls = new AclApplier(admin).apply(Access.all());
                    spec.commandLine().getOut().print(acls);
                    drift |= acls.hasDrift();
                }
                // print() does not flush picocli's writer, and main() exits right after: flush, or nothing shows.
                spec.commandLine().getOut().flush();
                return drift ? 3 : 0;
            }
        }
    }

    @Command(name = "render", mixinStandardHelpOptions = true,
            description = "Print the catalogue as Strimzi KafkaTopic resources and the roles as KafkaUser resources"
                    + " (SCRAM-SHA-512, simple authorization with the declared ACLs).")
    static final class Render implements Callable<Integer> {
        @Option(names = "--strimzi", required = true, description = "Strimzi custom resources (the only format)")
        boolean strimzi;
        @Option(names = "--cluster", defaultValue = "fraud", description = "The Strimzi Kafka resource's name. Default: ${DEFAULT-VALUE}")
        String cluster;
        @Option(names = "--replicas", defaultValue = "3", description = "Replication factor of every topic. Default: ${DEFAULT-VALUE}")
        int replicas;
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            if (replicas < 1) {
                throw new IllegalArgumentException("--replicas must be at least 1");
            }
            spec.commandLine().getOut().print(StrimziRender.render(cluster, replicas));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }
}
