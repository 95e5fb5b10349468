package probe

import (
	"crypto/sha1" //nolint:gosec // RFC 6960 CertIDs use SHA-1 as a name hash, not for trust
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
)

// OCSP (RFC 6960), just enough to ask a responder about one certificate
// and read whether it answered: lyncprobe checks that the responder
// answers, not what it says.

var oidSHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}

type ocspCertID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	IssuerKeyHash []byte
	SerialNumber  *big.Int
}

type ocspOneRequest struct{ Cert ocspCertID }

type ocspTBSRequest struct {
	Version     int `asn1:"explicit,tag:0,default:0,optional"`
	RequestList []ocspOneRequest
}

type ocspRequest struct{ TBSRequest ocspTBSRequest }

// OCSPRequest is the DER of an unsigned OCSP request for cert, issued by
// issuer, with a SHA-1 CertID (what every responder understands).
func OCSPRequest(cert, issuer *x509.Certificate) ([]byte, error) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return nil, fmt.Errorf("issuer key: %w", err)
	}
	nameHash := sha1.Sum(issuer.RawSubject)
	keyHash := sha1.Sum(spki.PublicKey.RightAlign())
	req := ocspRequest{TBSRequest: ocspTBSRequest{RequestList: []ocspOneRequest{{Cert: ocspCertID{
		HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
		NameHash:      nameHash[:], IssuerKeyHash: keyHash[:], SerialNumber: cert.SerialNumber,
	}}}}}
	return asn1.Marshal(req)
}

// OCSPStatusNames are RFC 6960's responseStatus values by number.
var OCSPStatusNames = map[int]string{
	0: "successful", 1: "malformedRequest", 2: "internalError",
	3: "tryLater", 5: "sigRequired", 6: "unauthorized",
}

// OCSPResponseStatus reads the responseStatus of a DER OCSP response.
func OCSPResponseStatus(der []byte) (int, error) {
	var resp struct {
		Status asn1.Enumerated
		Rest   asn1.RawValue `asn1:"explicit,tag:0,optional"`
	}
	rest, err := asn1.Unmarshal(der, &resp)
	if err != nil {
		return 0, fmt.Errorf("not an OCSP response: %w", err)
	}
	if len(rest) > 0 {
		return 0, errors.New("not an OCSP response: trailing data")
	}
	return int(resp.Status), nil
}
