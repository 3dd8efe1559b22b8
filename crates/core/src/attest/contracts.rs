//! Solidity interfaces of the EAS contracts (`IEAS`, `ISchemaRegistry`), written from the ABI
//! of npm `@ethereum-attestation-service/eas-contracts` (contracts version 1.4.0; the parts used
//! here are unchanged since 1.0). `crates/core/tests/eas_devnet.rs` checks every selector and
//! event topic against the package's artifacts.

#![allow(missing_docs)]

alloy::sol! {
    #[derive(Debug, PartialEq, Eq)]
    struct AttestationRequestData {
        address recipient;
        uint64 expirationTime;
        bool revocable;
        bytes32 refUID;
        bytes data;
        uint256 value;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct AttestationRequest {
        bytes32 schema;
        AttestationRequestData data;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct MultiAttestationRequest {
        bytes32 schema;
        AttestationRequestData[] data;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct RevocationRequestData {
        bytes32 uid;
        uint256 value;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct RevocationRequest {
        bytes32 schema;
        RevocationRequestData data;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct Attestation {
        bytes32 uid;
        bytes32 schema;
        uint64 time;
        uint64 expirationTime;
        uint64 revocationTime;
        bytes32 refUID;
        address recipient;
        address attester;
        bool revocable;
        bytes data;
    }

    #[derive(Debug, PartialEq, Eq)]
    struct SchemaRecord {
        bytes32 uid;
        address resolver;
        bool revocable;
        string schema;
    }

    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface IEAS {
        event Attested(address indexed recipient, address indexed attester, bytes32 uid, bytes32 indexed schemaUID);
        event Revoked(address indexed recipient, address indexed attester, bytes32 uid, bytes32 indexed schemaUID);

        error AccessDenied();
        error AlreadyRevoked();
        error AlreadyRevokedOffchain();
        error AlreadyTimestamped();
        error DeadlineExpired();
        error FailedCall();
        error InsufficientBalance(uint256 balance, uint256 needed);
        error InsufficientValue();
        error InvalidAttestation();
        error InvalidAttestations();
        error InvalidExpirationTime();
        error InvalidLength();
        error InvalidNonce();
        error InvalidOffset();
        error InvalidRegistry();
        error InvalidRevocation();
        error InvalidRevocations();
        error InvalidSchema();
        error InvalidShortString();
        error InvalidSignature();
        error InvalidVerifier();
        error Irrevocable();
        error NotFound();
        error NotPayable();
        error StringTooLong(string str);
        error WrongSchema();
        error AlreadyExists();

        function attest(AttestationRequest calldata request) external payable returns (bytes32);
        function multiAttest(MultiAttestationRequest[] calldata multiRequests) external payable returns (bytes32[] memory);
        function revoke(RevocationRequest calldata request) external payable;
        function getAttestation(bytes32 uid) external view returns (Attestation memory);
        function isAttestationValid(bytes32 uid) external view returns (bool);
        function getSchemaRegistry() external view returns (address);
        function version() external view returns (string memory);
    }

    #[sol(rpc)]
    #[derive(Debug, PartialEq, Eq)]
    interface ISchemaRegistry {
        event Registered(bytes32 indexed uid, address indexed registerer, SchemaRecord schema);

        error AlreadyExists();

        function register(string calldata schema, address resolver, bool revocable) external returns (bytes32);
        function getSchema(bytes32 uid) external view returns (SchemaRecord memory);
        function version() external view returns (string memory);
    }
}

/// What an EAS custom error means, in plain words.
pub(crate) fn explain(e: &IEAS::IEASErrors) -> String {
    use IEAS::IEASErrors as E;
    let (name, meaning) = match e {
        E::AccessDenied(_) => ("AccessDenied", "only the original attester may do this"),
        E::AlreadyRevoked(_) => ("AlreadyRevoked", "the attestation is revoked already"),
        E::AlreadyRevokedOffchain(_) => ("AlreadyRevokedOffchain", "this was revoked off-chain already"),
        E::AlreadyTimestamped(_) => ("AlreadyTimestamped", "this was timestamped already"),
        E::DeadlineExpired(_) => ("DeadlineExpired", "the signed request has expired"),
        E::FailedCall(_) => ("FailedCall", "a call made by the contract failed"),
        E::InsufficientBalance(_) => ("InsufficientBalance", "the contract has not enough ETH for this"),
        E::InsufficientValue(_) => ("InsufficientValue", "the ETH sent does not cover the request"),
        E::InvalidAttestation(_) => ("InvalidAttestation", "the schema's resolver refused the attestation"),
        E::InvalidAttestations(_) => ("InvalidAttestations", "the schema's resolver refused the attestations"),
        E::InvalidExpirationTime(_) => ("InvalidExpirationTime", "the expiry time is in the past"),
        E::InvalidLength(_) => ("InvalidLength", "the request's lists have different lengths"),
        E::InvalidNonce(_) => ("InvalidNonce", "the nonce is not valid"),
        E::InvalidOffset(_) => ("InvalidOffset", "the request's offset is not valid"),
        E::InvalidRegistry(_) => ("InvalidRegistry", "the schema registry address is not valid"),
        E::InvalidRevocation(_) => ("InvalidRevocation", "the schema's resolver refused the revocation"),
        E::InvalidRevocations(_) => ("InvalidRevocations", "the schema's resolver refused the revocations"),
        E::InvalidSchema(_) => ("InvalidSchema", "the schema is not registered on this chain"),
        E::InvalidShortString(_) => ("InvalidShortString", "a short string is not valid"),
        E::InvalidSignature(_) => ("InvalidSignature", "the signature is not valid"),
        E::InvalidVerifier(_) => ("InvalidVerifier", "the verifier is not valid"),
        E::Irrevocable(_) => ("Irrevocable", "this attestation or schema cannot be revoked"),
        E::NotFound(_) => ("NotFound", "there is no attestation with this UID"),
        E::NotPayable(_) => ("NotPayable", "this request cannot carry ETH"),
        E::StringTooLong(_) => ("StringTooLong", "a text is too long"),
        E::WrongSchema(_) => ("WrongSchema", "the attestation belongs to another schema"),
        E::AlreadyExists(_) => ("AlreadyExists", "the schema is registered already"),
    };
    format!("{meaning} (EAS error {name})")
}
