// Independent SM2 checks with Bouncy Castle, for the tests: nothing here shares code with the helper.
//   java SM2Verify pdf FILE [ROOT.der ...]   every signature: the CMS over its /ByteRange, SM3 digests,
//                                            SM3withSM2 (ID 1234567812345678), chain to a given root
//   java SM2Verify sig CERT.der DATA SIG     one SM3withSM2 signature (DER) of DATA's bytes by CERT
// Prints one line per check ("OK ..." or "FAIL ..."); exits 0 only when every check passed.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.Security;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.util.Selector;

public class SM2Verify {
    static final String SM3 = "1.2.156.10197.1.401";
    static final String SM3_WITH_SM2 = "1.2.156.10197.1.501";
    static boolean allOk = true;

    static void report(boolean ok, String what) {
        System.out.println((ok ? "OK " : "FAIL ") + what);
        allOk &= ok;
    }

    static X509Certificate load(byte[] der) throws Exception {
        CertificateFactory cf = CertificateFactory.getInstance("X.509", "BC");
        return (X509Certificate) cf.generateCertificate(new java.io.ByteArrayInputStream(der));
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {  // unreadable input: neither OK nor FAIL
            e.printStackTrace();
            System.exit(2);
        }
        System.exit(allOk ? 0 : 1);
    }

    static void run(String[] args) throws Exception {
        Security.addProvider(new BouncyCastleProvider());
        if (args.length >= 2 && args[0].equals("pdf")) {
            List<X509Certificate> roots = new ArrayList<>();
            for (int i = 2; i < args.length; i++) roots.add(load(Files.readAllBytes(Paths.get(args[i]))));
            pdf(Files.readAllBytes(Paths.get(args[1])), roots);
        } else if (args.length == 4 && args[0].equals("sig")) {
            X509Certificate cert = load(Files.readAllBytes(Paths.get(args[1])));
            Signature s = Signature.getInstance("SM3withSM2", "BC");
            s.initVerify(cert.getPublicKey());
            s.update(Files.readAllBytes(Paths.get(args[2])));
            report(s.verify(Files.readAllBytes(Paths.get(args[3]))), "signature " + cert.getSubjectX500Principal());
        } else {
            System.err.println("usage: SM2Verify pdf FILE [ROOT.der...] | sig CERT.der DATA SIG");
            System.exit(2);
        }
    }

    static void pdf(byte[] file, List<X509Certificate> roots) throws Exception {
        String text = new String(file, StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("/ByteRange\\s*\\[\\s*(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*\\]").matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
            int a = Integer.parseInt(m.group(1)), b = Integer.parseInt(m.group(2));
            int c = Integer.parseInt(m.group(3)), d = Integer.parseInt(m.group(4));
            byte[] signed = new byte[b + d];
            System.arraycopy(file, a, signed, 0, b);
            System.arraycopy(file, c, signed, b, d);
            String hex = text.substring(a + b, c).trim();
            hex = hex.substring(1, hex.length() - 1);  // the <...> of /Contents
            byte[] der = org.bouncycastle.util.encoders.Hex.decode(hex);
            der = java.util.Arrays.copyOf(der, contentInfoLength(der));
            ContentInfo ci = ContentInfo.getInstance(der);
            report(ci.getContentType().getId().equals("1.2.840.113549.1.7.2"), "content type " + ci.getContentType());
            CMSSignedData cms = new CMSSignedData(new CMSProcessableByteArray(signed), ci);
            for (SignerInformation si : cms.getSignerInfos().getSigners()) {
                report(si.getDigestAlgOID().equals(SM3), "digest algorithm " + si.getDigestAlgOID());
                report(si.getEncryptionAlgOID().equals(SM3_WITH_SM2), "signature algorithm " + si.getEncryptionAlgOID());
                @SuppressWarnings("unchecked")
                Collection<X509CertificateHolder> mine = cms.getCertificates().getMatches((Selector) si.getSID());
                X509CertificateHolder holder = mine.iterator().next();
                X509Certificate cert = new JcaX509CertificateConverter().setProvider("BC").getCertificate(holder);
                boolean ok;
                String why = "";
                try {
                    ok = si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider("BC").build(holder));
                } catch (org.bouncycastle.cms.CMSException e) {  // e.g. the message digest does not match
                    ok = false;
                    why = " (" + e.getMessage() + ")";
                }
                report(ok, "cms signature " + n + " by " + cert.getSubjectX500Principal() + why);
                if (!roots.isEmpty()) report(chains(cert, cms, roots), "chain " + n);
            }
        }
        report(n > 0, n + " signatures");
    }

    static int contentInfoLength(byte[] der) {
        // /Contents is zero-padded after the DER: read the outer SEQUENCE's length.
        int len = der[1] & 0xff, off = 2;
        if (len > 0x80) {
            int k = len & 0x7f;
            len = 0;
            for (int i = 0; i < k; i++) len = (len << 8) | (der[2 + i] & 0xff);
            off += k;
        }
        return off + len;
    }

    static boolean chains(X509Certificate cert, CMSSignedData cms, List<X509Certificate> roots) throws Exception {
        List<X509Certificate> pool = new ArrayList<>(roots);
        @SuppressWarnings("unchecked")
        Collection<X509CertificateHolder> all = cms.getCertificates().getMatches(null);
        for (X509CertificateHolder h : all) pool.add(new JcaX509CertificateConverter().setProvider("BC").getCertificate(h));
        X509Certificate cur = cert;
        for (int depth = 0; depth < 8; depth++) {
            X509Certificate issuer = null;
            for (X509Certificate cand : pool) {
                if (!cand.getSubjectX500Principal().equals(cur.getIssuerX500Principal())) continue;
                try {
                    cur.verify(cand.getPublicKey(), "BC");  // SM3withSM2 with the default ID for SM2 keys
                    issuer = cand;
                    break;
                } catch (Exception e) {
                    // not this one
                }
            }
            if (issuer == null) return false;
            cur.checkValidity();
            if (roots.contains(issuer)) {
                issuer.verify(issuer.getPublicKey(), "BC");
                return true;
            }
            cur = issuer;
        }
        return false;
    }
}
