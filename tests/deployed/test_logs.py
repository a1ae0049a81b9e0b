"""Joining our request lines with Lambda's platform lines."""

import json
import unittest

import logs

START = "START RequestId: 0b7a9c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b Version: $LATEST"


def request(request_id: str) -> str:
    return json.dumps({"level": "INFO", "message": "request", "request_id": request_id, "status": 200})


class JoinTest(unittest.TestCase):
    def test_a_request_line_with_the_invocations_id_joins(self) -> None:
        count, unjoined = logs.unjoined_requests([START, request("0b7a9c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b")])
        self.assertEqual((count, unjoined), (1, []))

    def test_a_request_line_with_an_id_of_its_own_does_not(self) -> None:
        count, unjoined = logs.unjoined_requests([START, request("11111111-2222-3333-4444-555555555555")])
        self.assertEqual(count, 1)
        self.assertEqual(len(unjoined), 1)

    def test_a_delivery_attempt_joins_through_its_span(self) -> None:
        attempt = {"message": "outbox delivery attempt", "span": {"requestId": "0b7a9c1e-2f3d-4e5f-8a9b-0c1d2e3f4a5b"}}
        other = {"message": "outbox delivery attempt", "span": {"requestId": "11111111-2222-3333-4444-555555555555"}}
        count, unjoined = logs.unjoined_requests([START, json.dumps(attempt), json.dumps(other)])
        self.assertEqual((count, len(unjoined)), (2, 1))

    def test_other_lines_are_not_requests(self) -> None:
        count, _ = logs.unjoined_requests([START, "plain text", '{"message":"configuration is invalid"}'])
        self.assertEqual(count, 0)


if __name__ == "__main__":
    unittest.main()
