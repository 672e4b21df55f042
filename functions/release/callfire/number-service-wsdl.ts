/**
 * The part of CallFire API 1.1's NumberService this function uses, written from the published
 * contract (see README, "CallFire contract"): `Release`, `GetNumber` and `QueryKeywords`, SOAP 1.2,
 * document/literal.
 *
 * Why a WSDL of our own instead of CallFire's: the published set is 224 KB across 4 files and 7
 * services; `soap` parses it in 100-200 ms and keeps ~30 MB of it alive, on every cold start, and
 * fetching it would put a network round trip to CallFire in the init phase. This one builds a client
 * in a few milliseconds and never touches the network.
 *
 * It is a string, not a file, so the esbuild bundle carries it; `soap` only treats a string as WSDL
 * text when it starts with `<?xml`.
 */
export const NUMBER_SERVICE_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions name="CallFireApi"
    targetNamespace="http://api.callfire.com/service/wsdl"
    xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
    xmlns:xs="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="http://api.callfire.com/service/wsdl"
    xmlns:svc="http://api.callfire.com/service/xsd"
    xmlns:data="http://api.callfire.com/data">
  <wsdl:types>
    <xs:schema targetNamespace="http://api.callfire.com/data" elementFormDefault="qualified"
        xmlns:data="http://api.callfire.com/data">
      <xs:simpleType name="PhoneNumber">
        <xs:restriction base="xs:string">
          <xs:pattern value="([a-zA-Z_]+)|(\\+?[0-9]+)"/>
        </xs:restriction>
      </xs:simpleType>
      <xs:simpleType name="NumberStatus">
        <xs:restriction base="xs:string">
          <xs:enumeration value="PENDING"/>
          <xs:enumeration value="ACTIVE"/>
          <xs:enumeration value="RELEASED"/>
          <xs:enumeration value="UNAVAILABLE"/>
        </xs:restriction>
      </xs:simpleType>
      <xs:complexType name="LeaseInfo">
        <xs:sequence>
          <xs:element name="LeaseBegin" type="xs:date" minOccurs="0"/>
          <xs:element name="LeaseEnd" type="xs:date" minOccurs="0"/>
          <xs:element name="AutoRenew" type="xs:boolean"/>
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
    <xs:schema targetNamespace="http://api.callfire.com/service/xsd" elementFormDefault="qualified"
        xmlns:data="http://api.callfire.com/data">
      <xs:import namespace="http://api.callfire.com/data"/>
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
        <xs:restriction base="xs:string">
          <xs:enumeration value="BAD_REQUEST"/>
          <xs:enumeration value="FORBIDDEN"/>
          <xs:enumeration value="NOT_FOUND"/>
          <xs:enumeration value="UNAVAILABLE"/>
          <xs:enumeration value="TIMEOUT"/>
          <xs:enumeration value="NOT_IMPLEMENTED"/>
        </xs:restriction>
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

  <wsdl:message name="ReleaseRequest"><wsdl:part name="parameters" element="svc:Release"/></wsdl:message>
  <wsdl:message name="ReleaseResponse"/>
  <wsdl:message name="GetNumberRequest"><wsdl:part name="parameters" element="svc:GetNumber"/></wsdl:message>
  <wsdl:message name="GetNumberResponse"><wsdl:part name="parameters" element="data:Number"/></wsdl:message>
  <wsdl:message name="QueryKeywordsRequest"><wsdl:part name="parameters" element="svc:QueryKeywords"/></wsdl:message>
  <wsdl:message name="QueryKeywordsResponse"><wsdl:part name="parameters" element="svc:KeywordQueryResult"/></wsdl:message>
  <wsdl:message name="ServiceFault"><wsdl:part name="fault" element="svc:ServiceFaultInfo"/></wsdl:message>

  <wsdl:portType name="NumberServicePortType">
    <wsdl:operation name="Release">
      <wsdl:input message="tns:ReleaseRequest"/>
      <wsdl:output message="tns:ReleaseResponse"/>
      <wsdl:fault name="ServiceFault" message="tns:ServiceFault"/>
    </wsdl:operation>
    <wsdl:operation name="GetNumber">
      <wsdl:input message="tns:GetNumberRequest"/>
      <wsdl:output message="tns:GetNumberResponse"/>
      <wsdl:fault name="ServiceFault" message="tns:ServiceFault"/>
    </wsdl:operation>
    <wsdl:operation name="QueryKeywords">
      <wsdl:input message="tns:QueryKeywordsRequest"/>
      <wsdl:output message="tns:QueryKeywordsResponse"/>
      <wsdl:fault name="ServiceFault" message="tns:ServiceFault"/>
    </wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="NumberServiceBinding" type="tns:NumberServicePortType">
    <soap12:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Release">
      <soap12:operation soapAction="http://api.callfire.com/service/wsdl/NumberServicePortType/Release"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="ServiceFault"><soap12:fault name="ServiceFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="GetNumber">
      <soap12:operation soapAction="http://api.callfire.com/service/wsdl/NumberServicePortType/GetNumber"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="ServiceFault"><soap12:fault name="ServiceFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
    <wsdl:operation name="QueryKeywords">
      <soap12:operation soapAction="http://api.callfire.com/service/wsdl/NumberServicePortType/QueryKeywords"/>
      <wsdl:input><soap12:body use="literal"/></wsdl:input>
      <wsdl:output><soap12:body use="literal"/></wsdl:output>
      <wsdl:fault name="ServiceFault"><soap12:fault name="ServiceFault" use="literal"/></wsdl:fault>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:service name="CallFireApi">
    <wsdl:port name="NumberServicePort" binding="tns:NumberServiceBinding">
      <soap12:address location="https://www.callfire.com/api/1.1/soap12/number"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;
