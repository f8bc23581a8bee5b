import Testing
import TriageCore

@Suite struct SHA256Tests {
    @Test func knownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // 1,000 bytes: several blocks and a padding block of its own.
        #expect(SHA256.hex(String(repeating: "a", count: 1000))
                == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test func keysRoundTripAndAreComparedByHash() {
        let k = APIKey.generate()
        #expect(APIKey(parsing: k.text) == k)
        #expect(APIKey(parsing: "tri_zz_" + String(repeating: "0", count: 48)) == nil)
        #expect(APIKey(parsing: "sk-something") == nil)
        #expect(constantTimeEquals(k.hash, SHA256.hash(Array(k.text.utf8))))
        #expect(!constantTimeEquals(k.hash, APIKey.generate().hash))
        #expect(!constantTimeEquals([1, 2], [1, 2, 3]))
        #expect(APIKey.generate() != APIKey.generate(), "keys are random")
    }
}
