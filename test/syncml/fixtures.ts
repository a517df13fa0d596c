/**
 * SyncML DM messages shaped after the DM 1.2.1 Protocol examples (§2.6): one session between a client
 * (IMEI:493005100592800) and DMS-2. The Cred digests are real: see the CRED_* constants.
 */

/** Client credentials in PKG1: md5 of dmclient:clientpwd with the nonce below. */
export const CLIENT_CRED = { username: 'dmclient', password: 'clientpwd', nonceB64: 'MTIzNDU2Nzg5MGFiY2RlZg==' } as const;
/** Server credentials in PKG2: md5 of dms2.example.com:serverpwd with the nonce below. */
export const SERVER_CRED = { username: 'dms2.example.com', password: 'serverpwd', nonceB64: 'c2VydmVyLW5vbmNlLTAx' } as const;

/** Package 1 (client → server), pretty-printed: Alert 1200, DevInfo Replace, md5 Cred, MaxMsgSize. */
export const PKG1 = `<?xml version="1.0" encoding="UTF-8"?>
<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD>
    <VerProto>DM/1.2</VerProto>
    <SessionID>2A</SessionID>
    <MsgID>1</MsgID>
    <Target><LocURI>https://dms2.example.com/dm</LocURI></Target>
    <Source>
      <LocURI>IMEI:493005100592800</LocURI>
      <LocName>dmclient</LocName>
    </Source>
    <Cred>
      <Meta>
        <Format xmlns="syncml:metinf">b64</Format>
        <Type xmlns="syncml:metinf">syncml:auth-md5</Type>
      </Meta>
      <Data>Rr4N5RXezaBesGAU2EaEyg==</Data>
    </Cred>
    <Meta>
      <MaxMsgSize xmlns="syncml:metinf">5000</MaxMsgSize>
      <MaxObjSize xmlns="syncml:metinf">65536</MaxObjSize>
    </Meta>
  </SyncHdr>
  <SyncBody>
    <Alert>
      <CmdID>1</CmdID>
      <Data>1200</Data>
    </Alert>
    <Replace>
      <CmdID>2</CmdID>
      <Item><Source><LocURI>./DevInfo/DevId</LocURI></Source><Data>IMEI:493005100592800</Data></Item>
      <Item><Source><LocURI>./DevInfo/Man</LocURI></Source><Data>Example Devices</Data></Item>
      <Item><Source><LocURI>./DevInfo/Mod</LocURI></Source><Data>X-1000</Data></Item>
      <Item><Source><LocURI>./DevInfo/DmV</LocURI></Source><Data>1.2</Data></Item>
      <Item><Source><LocURI>./DevInfo/Lang</LocURI></Source><Data>en-US</Data></Item>
    </Replace>
    <Final/>
  </SyncBody>
</SyncML>
`;

/**
 * Package 2 (server → client), compact: Status for SyncHdr (212 + Chal) and Alert, Get of an ACL, Replace
 * with 2 Items, Add of an interior node, another Replace. Data values `0030`, `true`, `1e3` must stay text.
 */
export const PKG2 =
  '<?xml version="1.0" encoding="UTF-8"?>' +
  '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr>' +
  '<VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>2A</SessionID><MsgID>1</MsgID>' +
  '<Target><LocURI>IMEI:493005100592800</LocURI></Target>' +
  '<Source><LocURI>https://dms2.example.com/dm</LocURI><LocName>dms2.example.com</LocName></Source>' +
  '<Cred><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type></Meta>' +
  '<Data>jpVha9+gQLBXNn0mq8oH2A==</Data></Cred>' +
  '</SyncHdr><SyncBody>' +
  '<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>' +
  '<TargetRef>https://dms2.example.com/dm</TargetRef><SourceRef>IMEI:493005100592800</SourceRef>' +
  '<Chal><Meta><Format xmlns="syncml:metinf">b64</Format><Type xmlns="syncml:metinf">syncml:auth-md5</Type>' +
  '<NextNonce xmlns="syncml:metinf">bmV4dC1ub25jZS0wMg==</NextNonce></Meta></Chal>' +
  '<Data>212</Data></Status>' +
  '<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>1</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status>' +
  '<Get><CmdID>3</CmdID><Item><Target><LocURI>./Vendor/Apps?prop=ACL</LocURI></Target></Item></Get>' +
  '<Replace><CmdID>4</CmdID><Meta><Format xmlns="syncml:metinf">chr</Format></Meta>' +
  '<Item><Target><LocURI>./Vendor/Apps/Timeout</LocURI></Target><Data>0030</Data></Item>' +
  '<Item><Target><LocURI>./Vendor/Apps/Enabled</LocURI></Target><Data>true</Data></Item>' +
  '</Replace>' +
  '<Add><CmdID>5</CmdID><Item><Target><LocURI>./Vendor/Apps/Mail</LocURI></Target>' +
  '<Meta><Format xmlns="syncml:metinf">node</Format></Meta></Item></Add>' +
  '<Replace><CmdID>6</CmdID><Item><Target><LocURI>./Vendor/Apps?prop=ACL</LocURI></Target>' +
  '<Data>Get=*&amp;Replace=dms1.example.com+dms2.example.com&amp;Limit=1e3</Data></Item></Replace>' +
  '<Final/></SyncBody></SyncML>';

/** Package 3 (client → server): Statuses for every PKG2 command and Results for the Get. */
export const PKG3 = `<?xml version="1.0" encoding="UTF-8"?>
<SyncML xmlns="SYNCML:SYNCML1.2">
  <SyncHdr>
    <VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>2A</SessionID><MsgID>2</MsgID>
    <Target><LocURI>https://dms2.example.com/dm</LocURI></Target>
    <Source><LocURI>IMEI:493005100592800</LocURI></Source>
  </SyncHdr>
  <SyncBody>
    <Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>
      <TargetRef>IMEI:493005100592800</TargetRef><SourceRef>https://dms2.example.com/dm</SourceRef><Data>200</Data></Status>
    <Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd>
      <TargetRef>./Vendor/Apps?prop=ACL</TargetRef><Data>200</Data></Status>
    <Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Cmd>Replace</Cmd>
      <TargetRef>./Vendor/Apps/Timeout</TargetRef><TargetRef>./Vendor/Apps/Enabled</TargetRef><Data>200</Data></Status>
    <Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Add</Cmd>
      <TargetRef>./Vendor/Apps/Mail</TargetRef><Data>418</Data></Status>
    <Status><CmdID>5</CmdID><MsgRef>1</MsgRef><CmdRef>6</CmdRef><Cmd>Replace</Cmd>
      <TargetRef>./Vendor/Apps?prop=ACL</TargetRef><Data>425</Data></Status>
    <Results><CmdID>6</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef>
      <Meta><Format xmlns="syncml:metinf">chr</Format><Type xmlns="syncml:metinf">text/plain</Type></Meta>
      <Item><Source><LocURI>./Vendor/Apps?prop=ACL</LocURI></Source><Data>Get=*&amp;Replace=dms1.example.com</Data></Item>
    </Results>
    <Final/>
  </SyncBody>
</SyncML>
`;

/** A minimal valid message; error tests derive broken variants from it by string replacement. */
export const MINIMAL =
  '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>' +
  '<SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>https://dms.example.com/dm</LocURI></Target>' +
  '<Source><LocURI>IMEI:1</LocURI></Source></SyncHdr>' +
  '<SyncBody><Replace><CmdID>1</CmdID><Item><Target><LocURI>./A</LocURI></Target><Data>x</Data></Item></Replace>' +
  '<Final/></SyncBody></SyncML>';
