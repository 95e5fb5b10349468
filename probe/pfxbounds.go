package probe

import (
	"context"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"

	"software.sslmate.com/src/go-pkcs12"
)

// maxPFXIterations caps the key-derivation iterations a PFX may ask for.
// Windows and OpenSSL write 2,000 to 600,000 (OpenSSL 3's PBKDF2 default is
// 2048, NIST SP 800-132 asks for at least 1,000); go-pkcs12 runs whatever
// the file says, so 2^62 would never end.
const maxPFXIterations = 1_000_000

// maxPFXDepth bounds the walk below: a PFX nests about ten levels deep.
const maxPFXDepth = 24

// checkPFXIterations walks a PFX's DER before it is decoded and refuses an
// iteration count above the cap. Every count in a PFX (the MAC's macData,
// a PBES1 pbeParams, PBKDF2-params of PBES2 and PBMAC1) is an INTEGER
// right after the OCTET STRING salt in a SEQUENCE; the walk also enters
// OCTET STRINGs that hold DER (the authSafe, the bags). What is not DER is
// left for the decoder to refuse. Counts inside encrypted contents cannot
// be seen before decryption: decodePFX stops waiting for them on ctx.
func checkPFXIterations(der []byte, depth int) error {
	if depth > maxPFXDepth {
		return nil
	}
	var prevOctets bool
	for len(der) > 0 {
		var v asn1.RawValue
		rest, err := asn1.Unmarshal(der, &v)
		if err != nil {
			return nil
		}
		der = rest
		universal := v.Class == asn1.ClassUniversal
		switch {
		case universal && v.Tag == asn1.TagInteger && prevOctets:
			if n := new(big.Int).SetBytes(v.Bytes); len(v.Bytes) > 0 && v.Bytes[0]&0x80 == 0 && n.Cmp(big.NewInt(maxPFXIterations)) > 0 {
				return fmt.Errorf("the PFX asks for %s key-derivation iterations, more than the %d any real PFX uses", iterText(n), maxPFXIterations)
			}
		case v.IsCompound:
			if err := checkPFXIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		case universal && v.Tag == asn1.TagOctetString:
			if err := checkPFXIterations(v.Bytes, depth+1); err != nil {
				return err
			}
		}
		prevOctets = universal && v.Tag == asn1.TagOctetString
	}
	return nil
}

// iterText shows a count, or its size when it is absurdly long.
func iterText(n *big.Int) string {
	if n.BitLen() > 64 {
		return fmt.Sprintf("a %d-bit number of", n.BitLen())
	}
	return n.String()
}

// decodePFX runs go-pkcs12, which takes no context, and stops waiting when
// ctx ends. The visible iteration counts are capped, so the work left
// behind is bounded except for counts hidden in encrypted contents.
func decodePFX(ctx context.Context, data []byte, pw string) (key any, leaf *x509.Certificate, cas []*x509.Certificate, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, nil, err
	}
	type decoded struct {
		key  any
		leaf *x509.Certificate
		cas  []*x509.Certificate
		err  error
	}
	done := make(chan decoded, 1)
	go func() {
		var d decoded
		d.key, d.leaf, d.cas, d.err = pkcs12.DecodeChain(data, pw)
		done <- d
	}()
	select {
	case d := <-done:
		return d.key, d.leaf, d.cas, d.err
	case <-ctx.Done():
		return nil, nil, nil, ctx.Err()
	}
}
