"""Human names, in zh and en, for what a certificate holds: subject attributes, key usages, extended key
usages, extensions and algorithms. Both faces (查看证书 and `cert show`) name fields only through here."""

from __future__ import annotations

# (zh, en) by asn1crypto's native name or dotted OID.
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "country_name": ("国家", "Country"), "state_or_province_name": ("省份", "Province"),
    "locality_name": ("城市", "City"), "organization_name": ("单位", "Organisation"),
    "organizational_unit_name": ("部门", "Department"), "common_name": ("名称", "Common name"),
    "serial_number": ("序列号", "Serial number"), "email_address": ("电子邮件", "Email"),
    "organization_identifier": ("单位标识", "Organisation identifier"), "2.5.4.97": ("单位标识", "Organisation identifier"),
    "name": ("名字", "Name"), "given_name": ("名", "Given name"), "surname": ("姓", "Surname"),
    "title": ("职务", "Title"), "street_address": ("地址", "Street address"), "postal_code": ("邮编", "Postal code"),
    "domain_component": ("域", "Domain component"), "business_category": ("业务类别", "Business category"),
}

KEY_USAGES: dict[str, tuple[str, str]] = {
    "digital_signature": ("数字签名", "Digital signature"), "non_repudiation": ("不可否认", "Non-repudiation"),
    "key_encipherment": ("密钥加密", "Key encipherment"), "data_encipherment": ("数据加密", "Data encipherment"),
    "key_agreement": ("密钥协商", "Key agreement"), "key_cert_sign": ("签发证书", "Certificate signing"),
    "crl_sign": ("签发吊销列表", "CRL signing"), "encipher_only": ("仅加密", "Encipher only"),
    "decipher_only": ("仅解密", "Decipher only"),
}

EXTENDED_KEY_USAGES: dict[str, tuple[str, str]] = {
    "client_auth": ("客户端身份验证", "Client authentication"), "server_auth": ("服务器身份验证", "Server authentication"),
    "email_protection": ("安全电子邮件", "Email protection"), "code_signing": ("代码签名", "Code signing"),
    "time_stamping": ("时间戳", "Time stamping"), "ocsp_signing": ("OCSP 签名", "OCSP signing"),
    "1.3.6.1.4.1.311.20.2.2": ("智能卡登录", "Smart card logon"),
    "1.3.6.1.4.1.311.10.3.12": ("文档签名", "Document signing"), "1.2.840.113583.1.1.5": ("PDF 签名", "PDF signing"),
    "any_extended_key_usage": ("任意用途", "Any purpose"),
}

EXTENSIONS: dict[str, tuple[str, str]] = {
    "key_usage": ("密钥用法", "Key usage"), "extended_key_usage": ("增强型密钥用法", "Extended key usage"),
    "basic_constraints": ("基本约束", "Basic constraints"),
    "key_identifier": ("使用者密钥标识符", "Subject key identifier"),
    "authority_key_identifier": ("颁发机构密钥标识符", "Authority key identifier"),
    "crl_distribution_points": ("CRL 分发点", "CRL distribution points"),
    "authority_information_access": ("颁发机构信息访问", "Authority information access"),
    "certificate_policies": ("证书策略", "Certificate policies"),
    "subject_alt_name": ("使用者备用名称", "Subject alternative name"),
    "issuer_alt_name": ("颁发者备用名称", "Issuer alternative name"), "netscape_certificate_type": ("Netscape 证书类型", "Netscape certificate type"),
    "1.2.156.10260.4.1.1": ("个人身份证号", "Personal ID number"),
    "1.2.156.10260.4.1.2": ("个人社会保险号", "Social insurance number"),
    "1.2.156.10260.4.1.3": ("工商注册号", "Business registration number"),
    "1.2.156.10260.4.1.4": ("组织机构代码", "Organisation code"),
    "1.2.156.10260.4.1.5": ("税号", "Tax number"),
}

UNIT_CODE_KINDS: dict[str, tuple[str, str]] = {
    "uscc": ("统一社会信用代码", "Unified social credit code"), "org_code": ("组织机构代码", "Organisation code"),
    "registration": ("工商注册号", "Business registration number"), "tax": ("税号", "Tax number"),
}

KEY_TYPES: dict[str, str] = {"rsa": "RSA", "ec": "ECC", "sm2": "SM2"}

SIGNATURE_ALGORITHMS: dict[str, str] = {
    "1.2.156.10197.1.501": "SM3withSM2", "1.2.840.113549.1.1.5": "SHA1withRSA", "1.2.840.113549.1.1.11": "SHA256withRSA",
    "1.2.840.113549.1.1.12": "SHA384withRSA", "1.2.840.113549.1.1.13": "SHA512withRSA",
    "1.2.840.113549.1.1.10": "RSASSA-PSS", "1.2.840.10045.4.3.2": "SHA256withECDSA",
    "1.2.840.10045.4.3.3": "SHA384withECDSA", "1.2.840.10045.4.3.4": "SHA512withECDSA",
    "1.2.840.10045.4.1": "SHA1withECDSA", "1.2.840.113549.1.1.4": "MD5withRSA",
}

# The fields of 查看证书 / `cert show`, in order: key -> (zh, en).
FIELDS: dict[str, tuple[str, str]] = {
    "unit": ("单位名称", "Unit"), "unit_code": ("单位代码", "Unit code"), "holder": ("持有人", "Holder"),
    "department": ("部门", "Department"), "personal_id": ("个人身份证号", "Personal ID number"),
    "social_insurance": ("个人社会保险号", "Social insurance number"), "subject": ("主题", "Subject"),
    "issuer": ("颁发者", "Issuer"), "serial": ("证书序列号", "Serial number"), "valid_from": ("生效时间", "Valid from"),
    "valid_to": ("到期时间", "Valid to"), "days_left": ("剩余天数", "Days left"), "usage": ("用途", "Purpose"),
    "key": ("密钥算法", "Key algorithm"), "signature_algorithm": ("签名算法", "Signature algorithm"),
    "key_usage": ("密钥用法", "Key usage"), "extended_key_usage": ("增强型密钥用法", "Extended key usage"),
    "private_key": ("私钥在U盾里", "Private key on the key"), "sha256": ("SHA-256 指纹", "SHA-256 fingerprint"),
    "sha1": ("SHA-1 指纹", "SHA-1 fingerprint"),
}

USAGE: dict[str, tuple[str, str]] = {"signing": ("签名证书", "Signing certificate"),
                                     "encryption": ("加密证书", "Encryption certificate"),
                                     "ca": ("CA 证书", "CA certificate")}

# Texts of known extensions that are words rather than data.
EXTENSION_TEXTS: dict[str, tuple[str, str]] = {"CA": ("CA 证书", "CA certificate"),
                                               "end entity": ("用户证书（不是 CA）", "End entity (not a CA)")}


def pick(names: tuple[str, str], lang: str) -> str:
    return names[0] if lang == "zh" else names[1]


def named(table: dict[str, tuple[str, str]], key: str, lang: str) -> str:
    """The human name of ``key`` in ``table``, else ``key`` itself (an OID the table does not know)."""
    return pick(table[key], lang) if key in table else key
