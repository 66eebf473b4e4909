"""Gateway answers for client unit tests, shaped as the reference's literal responses
(intacct-xml-api.md §2.3, §3.2; the SDKs' OnlineResponseTest and RequestHandlerTest fixtures)."""

from __future__ import annotations

CONTROL_OK = (
    "<control><status>success</status><senderid>testsenderid</senderid><controlid>c1</controlid>"
    "<uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control>"
)
AUTH_OK = (
    "<authentication><status>success</status><userid>fakeuser</userid><companyid>fakecompany</companyid>"
    "<locationid></locationid><sessiontimestamp>2015-10-22T20:58:27-07:00</sessiontimestamp>"
    "<sessiontimeout>2015-10-23T20:58:27-07:00</sessiontimeout></authentication>"
)


def response(*results: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><response>{CONTROL_OK}<operation>{AUTH_OK}'
        f"{''.join(results)}</operation></response>"
    )


def result(function: str, controlid: str, data: str = "", status: str = "success") -> str:
    return (
        f"<result><status>{status}</status><function>{function}</function>"
        f"<controlid>{controlid}</controlid>{data}</result>"
    )


def session(session_id: str, endpoint: str, controlid: str = "s") -> str:
    return response(
        result(
            "getAPISession",
            controlid,
            f"<data><api><sessionid>{session_id}</sessionid><endpoint>{endpoint}</endpoint>"
            "<locationid></locationid></api></data>",
        )
    )


def error(errorno: str, description: str = "", description2: str = "", correction: str = "") -> str:
    return (
        f"<error><errorno>{errorno}</errorno><description>{description}</description>"
        f"<description2>{description2}</description2><correction>{correction}</correction></error>"
    )


def failed_result(function: str, controlid: str, *errors: str) -> str:
    return (
        f"<result><status>failure</status><function>{function}</function><controlid>{controlid}</controlid>"
        f"<errormessage>{''.join(errors)}</errormessage></result>"
    )


BAD_SENDER = (
    '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status>'
    "<senderid>lorenzbus</senderid><controlid>1582314102</controlid><uniqueid>false</uniqueid>"
    "<dtdversion>3.0</dtdversion></control><errormessage>"
    + error("XL03000006", "", "Incorrect Intacct XML Partner ID or password.")
    + "</errormessage></response>"
)

SENDER_NOT_AUTHORIZED = (
    '<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status>'
    "<senderid>test_sender_id</senderid><controlid>hello_world</controlid><uniqueid>false</uniqueid>"
    "<dtdversion>3.0</dtdversion></control><operation><authentication><status>failure</status>"
    "<userid>test_user_id</userid><companyid>test_company_id</companyid></authentication><errormessage>"
    + error(
        "XL03000006",
        "Invalid Web Services Authorization",
        "The sender ID &#039;test_sender_id&#039; is not authorized to make Web Services requests "
        "to company ID &#039;test_company_id&#039;.",
        "Contact the company administrator to grant Web Services authorization to this sender ID.",
    )
    + "</errormessage></operation></response>"
)

SIGN_IN_LEGACY = (
    '<?xml version="1.0" encoding="UTF-8"?><response>' + CONTROL_OK + "<operation><authentication>"
    "<status>failure</status><userid>fakeuser</userid><companyid>fakecompany</companyid>"
    "<locationid></locationid></authentication><errormessage>"
    + error("XL03000006", "", "Sign-in information is incorrect")
    + "</errormessage></operation></response>"
)

SIGN_IN_401 = (
    '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>'
    "<errormessage><error><errorno>XMLGW_JPP0002</errorno>"
    "<description>Sign-in information is incorrect. Please check your request.</description>"
    "</error></errormessage></response>"
)

THROTTLED_429 = (
    '<?xml version="1.0" encoding="UTF-8"?><response><control><status>failure</status></control>'
    "<errormessage><error><errorno>GW-0010</errorno><description>API rate limit exceeded</description>"
    "</error></errormessage></response>"
)

INVALID_SESSION = (
    '<?xml version="1.0" encoding="UTF-8"?><response>' + CONTROL_OK + "<operation><authentication>"
    "<status>failure</status><userid></userid><companyid></companyid></authentication><errormessage>"
    + error("XL03000006", "", "Invalid session")
    + "</errormessage></operation></response>"
)

PERMISSION_DENIED = error(
    "PL04000005",
    "",
    "You do not have permission for API operation READ_BY_QUERY on objects of type apadjustment "
    "[Support ID: p5rxS%7EYxEXrDEnVyr0F531W8X9bQAAACQ]",
)

CLOUDFLARE_PAGE = (
    "<!DOCTYPE html><html><head><title>api.intacct.com | 502: Bad gateway</title></head>"
    '<body><div id="cf-error-details">Bad gateway</div></body></html>'
)

ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
    '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
    '<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
    '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
    '<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
    '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">'
    "]><response><control><status>&lol9;</status></control></response>"
)
