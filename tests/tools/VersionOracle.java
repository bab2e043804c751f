// Test oracle for tests/integration/test_version_oracles.sh (not project code): reads
// "A B" pairs on stdin, prints "<", "=", ">" per line using maven-artifact's
// org.apache.maven.artifact.versioning.ComparableVersion.
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class VersionOracle {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        PrintWriter out = new PrintWriter(System.out);
        String line;
        while ((line = in.readLine()) != null) {
            int i = line.indexOf(' ');
            int c = new ComparableVersion(line.substring(0, i))
                        .compareTo(new ComparableVersion(line.substring(i + 1)));
            out.println(c < 0 ? "<" : (c > 0 ? ">" : "="));
        }
        out.flush();
    }
}
