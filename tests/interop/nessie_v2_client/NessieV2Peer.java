// Drives floe's history API (/api/v2) with Project Nessie's own Java client (NessieApiV2), the reference client of
// Nessie's REST API v2, and prints what it read, one fact per line, for tests/interop/test_catalog_nessie_client.py
// to compare with `floe catalog ... --data-dir`. Run in source-file mode:
//   java -cp 'tests/peers/nessie-client/target/lib/*' NessieV2Peer.java URI TOKEN STEP
// STEP "refs": config and references, then creates branch dev and tag v1 from main.
// STEP "history": dev's log (every page, operations included), diff main..dev, merge dev into main, main's log head.
// STEP "errors": the exceptions the client raises for an unknown reference, an existing name, a conflict.
// A failure the test did not expect escapes as an exception (non-zero exit with its stack trace).
import java.util.List;
import java.util.stream.Collectors;
import org.projectnessie.client.NessieClientBuilder;
import org.projectnessie.client.api.NessieApiV2;
import org.projectnessie.client.auth.BearerAuthenticationProvider;
import org.projectnessie.error.BaseNessieClientServerException;
import org.projectnessie.model.Branch;
import org.projectnessie.model.CommitMeta;
import org.projectnessie.model.Content;
import org.projectnessie.model.DiffResponse;
import org.projectnessie.model.FetchOption;
import org.projectnessie.model.IcebergTable;
import org.projectnessie.model.LogResponse;
import org.projectnessie.model.MergeResponse;
import org.projectnessie.model.Namespace;
import org.projectnessie.model.NessieConfiguration;
import org.projectnessie.model.Operation;
import org.projectnessie.model.Reference;
import org.projectnessie.model.Tag;

public class NessieV2Peer {
  static String describe(Content c) {
    if (c == null) return "-";
    if (c instanceof IcebergTable) return "table " + ((IcebergTable) c).getMetadataLocation();
    if (c instanceof Namespace) return "namespace " + ((Namespace) c).getProperties();
    return c.getType().name();
  }

  static String ref(Reference r) {
    return r.getType() + " " + r.getName() + " " + r.getHash();
  }

  public static void main(String[] args) throws Exception {
    String uri = args[0];
    String token = args[1];
    String step = args[2];
    NessieClientBuilder builder = NessieClientBuilder.createClientBuilderFromSystemSettings().withUri(uri);
    if (!token.isEmpty()) builder = builder.withAuthentication(BearerAuthenticationProvider.create(token));
    try (NessieApiV2 api = builder.build(NessieApiV2.class)) {
      switch (step) {
        case "refs": {
          NessieConfiguration config = api.getConfig();
          System.out.println("config " + config.getDefaultBranch() + " " + config.getMaxSupportedApiVersion());
          for (Reference r : api.getAllReferences().get().getReferences()) System.out.println("ref " + ref(r));
          Branch main = api.getDefaultBranch();
          System.out.println("default " + ref(main));
          Reference dev = api.createReference().sourceRefName("main").reference(Branch.of("dev", main.getHash()))
              .create();
          System.out.println("created " + ref(dev));
          Reference tag = api.createReference().sourceRefName("main").reference(Tag.of("v1", main.getHash()))
              .create();
          System.out.println("created " + ref(tag));
          System.out.println("get " + ref(api.getReference().refName("v1").get()));
          break;
        }
        case "history": {
          // maxRecords 1: every entry is its own page, so the client follows the server's tokens.
          List<LogResponse.LogEntry> log = api.getCommitLog().refName("dev").fetch(FetchOption.ALL).maxRecords(1)
              .stream().collect(Collectors.toList());
          for (LogResponse.LogEntry e : log) {
            CommitMeta m = e.getCommitMeta();
            System.out.println("commit " + m.getHash() + " parent=" + e.getParentCommitHash() + " authors="
                + m.getAllAuthors() + " time=" + m.getCommitTime().toEpochMilli() + " message=" + m.getMessage());
            if (e.getOperations() != null) {
              for (Operation op : e.getOperations()) {
                if (op instanceof Operation.Put) {
                  System.out.println("  put " + op.getKey() + " " + describe(((Operation.Put) op).getContent()));
                } else {
                  System.out.println("  " + op.getClass().getSimpleName() + " " + op.getKey());
                }
              }
            }
          }
          DiffResponse diff = api.getDiff().fromRefName("main").toRefName("dev").get();
          for (DiffResponse.DiffEntry d : diff.getDiffs()) {
            System.out.println("diff " + d.getKey() + " " + describe(d.getFrom()) + " -> " + describe(d.getTo()));
          }
          System.out.println("effective " + ref(diff.getEffectiveFromReference()) + " / "
              + ref(diff.getEffectiveToReference()));
          Branch main = (Branch) api.getReference().refName("main").get();
          Reference dev = api.getReference().refName("dev").get();
          MergeResponse merged = api.mergeRefIntoBranch().branch(main).fromRef(dev)
              .commitMeta(CommitMeta.builder().message("merge dev by the nessie client").addAllAuthors("nessie-java")
                  .build())
              .merge();
          System.out.println("merged applied=" + merged.wasApplied() + " successful=" + merged.wasSuccessful()
              + " from=" + merged.getEffectiveTargetHash() + " to=" + merged.getResultantTargetHash());
          LogResponse.LogEntry head = api.getCommitLog().refName("main").maxRecords(1).get().getLogEntries().get(0);
          System.out.println("head " + head.getCommitMeta().getHash() + " parents="
              + head.getCommitMeta().getParentCommitHashes() + " authors=" + head.getCommitMeta().getAllAuthors()
              + " message=" + head.getCommitMeta().getMessage());
          break;
        }
        case "errors": {
          try {
            api.getReference().refName("nope").get();
            System.out.println("error none");
          } catch (BaseNessieClientServerException e) {
            System.out.println("error " + e.getClass().getSimpleName() + " " + e.getErrorCode() + " " + e.getMessage());
          }
          Branch main = api.getDefaultBranch();
          try {
            api.createReference().sourceRefName("main").reference(Branch.of("dev", main.getHash())).create();
            System.out.println("error none");
          } catch (BaseNessieClientServerException e) {
            System.out.println("error " + e.getClass().getSimpleName() + " " + e.getErrorCode() + " " + e.getMessage());
          }
          Reference dev = api.getReference().refName("dev").get();
          try {
            api.mergeRefIntoBranch().branch(main).fromRef(dev).message("conflicting").merge();
            System.out.println("error none");
          } catch (BaseNessieClientServerException e) {
            System.out.println("error " + e.getClass().getSimpleName() + " " + e.getErrorCode() + " " + e.getMessage());
          }
          try {
            api.deleteBranch().branch(Branch.of("dev", "0000000000000000000000000000000000000000000000000000000000000000"))
                .delete();
            System.out.println("error none");
          } catch (BaseNessieClientServerException e) {
            System.out.println("error " + e.getClass().getSimpleName() + " " + e.getErrorCode() + " " + e.getMessage());
          }
          System.out.println("refs " + api.getAllReferences().get().getReferences().size());
          break;
        }
        default:
          throw new IllegalArgumentException("unknown step " + step);
      }
    }
  }
}
