import {
  DEFAULT_CALLFIRE_ENDPOINT,
  FAULT_CODES,
  INBOUND_CALL_CONFIGURATION_TYPES,
  NAMESPACES,
  NUMBER_FEATURES,
  NUMBER_STATUSES,
  OPERATIONS,
  type Operation,
  soapActionOf,
} from './contract';

/**
 * The part of CallFire API 1.1's NumberService this function uses, written from the published
 * contract (the facts are in contract.ts): `Release`, `GetNumber` (with the number's lease and its
 * `NumberConfiguration`) and `QueryKeywords`, SOAP 1.2, document/literal.
 *
 * Why a WSDL of our own instead of CallFire's: the published set is 224 KB across 4 files and 7
 * services; `soap` parses it in 100-200 ms and keeps ~30 MB of it alive, on every cold start, and
 * fetching it would put a network round trip to CallFire in the init phase. This one builds a client
 * in a few milliseconds and never touches the network.
 *
 * It is a string, not a file, so the esbuild bundle carries it; `soap` only treats a string as WSDL
 * text when it starts with `<?xml`.
 */

/** Each operation's request and response elements; `Release` answers with an empty Body. */
const MESSAGES: Record<Operation, { input: string; output?: string }> = {
  Release: { input: 'svc:Release' },
  GetNumber: { input: 'svc:GetNumber', output: 'data:Number' },
  QueryKeywords: { input: 'svc:QueryKeywords', output: 'svc:KeywordQueryResult' },
};

const enumeration = (values: readonly string[]) =>
  values.map((value) => `<xs:enumeration value="${value}"/>`).join('');

const messages = OPERATIONS.map((operation) => {
  const { input, output } = MESSAGES[operation];
  const response = output
    ? `<wsdl:message name="${operation}Response"><wsdl:part name="parameters" element="${output}"/></wsdl:message>`
    : `<wsdl:message name="${operation}Response"/>`;
  return `<wsdl:message name="${operation}Request"><wsdl:part name="parameters" element="${input}"/></wsdl:message>${response}`;
}).join('\n  ');

const portTypeOperations = OPERATIONS.map(
  (operation) => `<wsdl:operation name="${operation}">
      <wsdl:input message="tns:${operation}Request"/>
      <wsdl:output message="tns:${operation}Response"/>
      <wsdl:fault name="ServiceFault" message="tns:ServiceFault"/>
    </wsdl:operation>`,
).join('\n    ');

const bindingOperations = OPERATIONS.map(
  (operation) => `<wsdl:operation name="${operation}">
      <soap12:operation soapAction="${soapActionOf(operation)}"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="ServiceFault"><soap12:fault name="ServiceFault" use="literal"/></wsdl:fault>
    </wsdl:operation>`,
).join('\n    ');

export const NUMBER_SERVICE_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="CallFireApi"
    targetNamespace="${NAMESPACES.wsdl}"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="${NAMESPACES.wsdl}"
    xmlns:svc="${NAMESPACES.service}"
    xmlns:data="${NAMESPACES.data}">
  <wsdl:types>
    <xs:schema targetNamespace="${NAMESPACES.data}" elementFormDefault="qualified"
        xmlns:data="${NAMESPACES.data}">
      <xs:simpleType name="PhoneNumber">
        <xs:restriction base="xs:string">
          <xs:pattern value="([a-zA-Z_]+)|(\\+?[0-9]+)"/>
        </xs:restriction>
      </xs:simpleType>
      <xs:simpleType name="NumberStatus">
        <xs:restriction base="xs:string">${enumeration(NUMBER_STATUSES)}</xs:restriction>
      </xs:simpleType>
      <xs:complexType name="LeaseInfo">
        <xs:sequence>
          <xs:element name="LeaseBegin" type="xs:date" minOccurs="0"/>
          <xs:element name="LeaseEnd" type="xs:date" minOccurs="0"/>
          <xs:element name="AutoRenew" type="xs:boolean"/>
        </xs:sequence>
      </xs:complexType>
      <xs:simpleType name="NumberFeature">
        <xs:restriction base="xs:string">${enumeration(NUMBER_FEATURES)}</xs:restriction>
      </xs:simpleType>
      <xs:simpleType name="InboundCallConfigurationType">
        <xs:restriction base="xs:string">${enumeration(INBOUND_CALL_CONFIGURATION_TYPES)}</xs:restriction>
      </xs:simpleType>
      <xs:complexType name="NumberConfiguration">
        <xs:sequence>
          <xs:element name="CallFeature" type="data:NumberFeature" minOccurs="0"/>
          <xs:element name="TextFeature" type="data:NumberFeature" minOccurs="0"/>
          <xs:element name="InboundCallConfigurationType" type="data:InboundCallConfigurationType" minOccurs="0"/>
        </xs:sequence>
      </xs:complexType>
      <xs:element name="Number">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Number" type="data:PhoneNumber"/>
            <xs:element name="NationalFormat" type="xs:string"/>
            <xs:element name="TollFree" type="xs:boolean"/>
            <xs:element name="Status" type="data:NumberStatus" minOccurs="0"/>
            <xs:element name="LeaseInfo" type="data:LeaseInfo" minOccurs="0"/>
            <xs:element name="NumberConfiguration" type="data:NumberConfiguration" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="Keyword">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="ShortCode" type="data:PhoneNumber"/>
            <xs:element name="Keyword" type="xs:string"/>
            <xs:element name="Status" type="data:NumberStatus" minOccurs="0"/>
            <xs:element name="LeaseInfo" type="data:LeaseInfo" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:schema>
    <xs:schema targetNamespace="${NAMESPACES.service}" elementFormDefault="qualified"
        xmlns:data="${NAMESPACES.data}">
      <xs:import namespace="${NAMESPACES.data}"/>
      <xs:element name="Release">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Number" type="data:PhoneNumber"/>
            <xs:element name="Keyword" type="xs:string" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="GetNumber">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="Number" type="data:PhoneNumber"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="QueryKeywords">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="MaxResults" type="xs:long" minOccurs="0"/>
            <xs:element name="FirstResult" type="xs:long" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:element name="KeywordQueryResult">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="TotalResults" type="xs:long"/>
            <xs:element ref="data:Keyword" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
      <xs:simpleType name="FaultCode">
        <xs:restriction base="xs:string">${enumeration(FAULT_CODES)}</xs:restriction>
      </xs:simpleType>
      <xs:element name="ServiceFaultInfo">
        <xs:complexType>
          <xs:sequence>
            <xs:element name="FaultCode" type="svc:FaultCode"/>
            <xs:element name="Message" type="xs:string" minOccurs="0"/>
            <xs:element name="Detail" type="xs:string" minOccurs="0"/>
          </xs:sequence>
        </xs:complexType>
      </xs:element>
    </xs:schema>
  </wsdl:types>

  ${messages}
  <wsdl:message name="ServiceFault"><wsdl:part name="fault" element="svc:ServiceFaultInfo"/></wsdl:message>

  <wsdl:portType name="NumberServicePortType">
    ${portTypeOperations}
  </wsdl:portType>

  <wsdl:binding name="NumberServiceBinding" type="tns:NumberServicePortType">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    ${bindingOperations}
  </wsdl:binding>

  <wsdl:service name="CallFireApi">
    <wsdl:port name="NumberServicePort" binding="tns:NumberServiceBinding">
      <soap12:address location="${DEFAULT_CALLFIRE_ENDPOINT}"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
